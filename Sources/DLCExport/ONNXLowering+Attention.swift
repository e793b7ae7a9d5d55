import DLCGraph

/// Self-attention: multi-head scaled dot-product attention over `qkv` `[batch, steps, 3 * dim]`
/// with standard ops (`MatMul`, `Where`, `Softmax`), masks made from the lengths as the sequence
/// ops make them (`stepMask`) and shared among the attentions over the same lengths.
extension ONNXLowering {
    /// `[batch, steps, dim]`: per head `softmax(Q K^T / sqrt(dim / heads)) V` over the keys before
    /// the example's length (and with `causal`, at or before the query's step), a masked score set
    /// to -1e9 (its probability exactly 0, a row with no key finite); the queries at or past the
    /// length give exactly 0 (an empty example all zeros), as dlc's kernel.
    mutating func attention(_ qkv: ValueID, lengths: ValueID?, heads: Int, causal: Bool, name: String) -> String {
        let shape = graph.shape(of: qkv)
        let (steps, dimension) = (shape[1], shape[2] / 3)
        let width = dimension / heads
        // [batch, steps, 3 * dim] -> [batch, steps, 3, heads, width]; each part [batch, steps, heads, width].
        let split = builder.node("Reshape", [nhwc(qkv), builder.integers(name + "_heads_shape", [-1, steps, 3, heads, width])],
                                 name: name + "_heads")
        func part(_ index: Int, _ suffix: String, _ permutation: [Int]) -> String {
            let taken = builder.node("Gather", [split, builder.integers(name + "_part", [index], shape: [])], name: name + "_" + suffix,
                                     attributes: [Attribute.int("axis", 2)])
            return builder.node("Transpose", [taken], name: name + "_" + suffix + "_heads", attributes: [Attribute.ints("perm", permutation)])
        }
        let queries = part(0, "queries", [0, 2, 1, 3])  // [batch, heads, steps, width]
        let keys = part(1, "keys", [0, 2, 3, 1])        // [batch, heads, width, steps]
        let values = part(2, "values", [0, 2, 1, 3])    // [batch, heads, steps, width]
        let products = builder.node("MatMul", [queries, keys], name: name + "_products")
        let scale = builder.constant(name + "_scale", [1 / Float(width).squareRoot()], shape: [])
        var scores = builder.node("Mul", [products, scale], name: name + "_scores")
        if let mask = attentionMask(lengths, steps: steps, causal: causal, name: name) {
            let excluded = builder.constant(name + "_excluded", [-1e9], shape: [])
            scores = builder.node("Where", [mask, scores, excluded], name: name + "_masked_scores")
        }
        let probabilities = builder.node("Softmax", [scores], name: name + "_probabilities", attributes: [Attribute.int("axis", -1)])
        let attended = builder.node("MatMul", [probabilities, values], name: name + "_attended")
        // [batch, heads, steps, width] -> [batch, steps, heads, width] -> [batch, steps, dim]
        let stepMajor = builder.node("Transpose", [attended], name: name + "_step_major", attributes: [Attribute.ints("perm", [0, 2, 1, 3])])
        let output = builder.node("Reshape", [stepMajor, builder.integers(name + "_shape", [-1, steps, dimension])],
                                  name: lengths == nil ? name : name + "_all_queries")
        guard let lengths else { return output }
        return masked(output, lengths: lengths, shape: [shape[0], steps, dimension], fill: 0, name: name)
    }

    /// The bool mask of the keys each query reads, broadcasting over `[batch, heads, steps, steps]`:
    /// the keys before the length `[batch, 1, 1, steps]`, with `causal` also at or before the
    /// query's step (`[steps, steps]` alone without lengths); nil when every key is read.
    private mutating func attentionMask(_ lengths: ValueID?, steps: Int, causal: Bool, name: String) -> String? {
        let key = "\(lengths.map(String.init) ?? "-") \(steps) \(causal)"
        if let mask = attentionMasks[key] { return mask }
        var mask: String?
        if let lengths {
            let real = stepMask(lengths, steps: steps, rank: 2, name: name)
            mask = builder.node("Unsqueeze", [real, builder.integers(name + "_key_axes", [1, 2])], name: name + "_real_keys")
        }
        if causal {
            let queries = builder.constant(name + "_query_steps", (0..<steps).map(Float.init), shape: [steps, 1])
            let keys = builder.constant(name + "_key_steps", (0..<steps).map(Float.init), shape: [1, steps])
            let earlier = builder.node("LessOrEqual", [keys, queries], name: name + "_causal")
            mask = mask.map { builder.node("And", [$0, earlier], name: name + "_keys") } ?? earlier
        }
        if let mask { attentionMasks[key] = mask }
        return mask
    }
}
