import DLCDiagnostics
import DLCSpec
import Testing

/// `from:`, scoped names in `repeat`, and `residual` blocks as the decoder expands them.
struct GraphDecoderTests {
    func layers(_ body: String) throws -> [LayerSpec] {
        let text = "name: m\nmodel:\n  input: [8, 8, 1]\n  layers:\n" + body + "\nloss: mse\noptimizer: sgd\n"
        let loaded = SpecLoader.load(text: text)
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.message))")
        return try #require(loaded.spec?.model?.layers)
    }

    @Test func layersReadTheItemBeforeThemUnlessTheySayFrom() throws {
        let expanded = try layers("""
                - conv2d: {filters: 4, kernel: 3, name: narrow}
                - conv2d: {filters: 4, kernel: 5, padding: same, name: wide, from: input}
                - concat: {from: [narrow, wide]}
                - flatten
            """)
        #expect(expanded.map(\.name) == ["narrow", "wide", "concat_2", "flatten_3"])
        #expect(expanded.map(\.inputs) == [["input"], ["input"], ["narrow", "wide"], ["concat_2"]])
    }

    @Test func namesInsideRepeatAreScopedToTheirIteration() throws {
        let expanded = try layers("""
                - repeat: 2
                  layers:
                    - dense: {units: 4, name: a}
                    - dense: {units: 4, name: b}
                    - add: {from: [a, b], name: sum}
                - concat: {from: [sum.0, sum.1]}
            """)
        #expect(expanded.map(\.name) == ["a.0", "b.0", "sum.0", "a.1", "b.1", "sum.1", "concat_6"])
        #expect(expanded[2].inputs == ["a.0", "b.0"])
        #expect(expanded[3].inputs == ["sum.0"])
        #expect(expanded[5].inputs == ["a.1", "b.1"])
        #expect(expanded[6].inputs == ["sum.0", "sum.1"])
    }

    @Test func nestedRepeatsAppendEachIteration() throws {
        let expanded = try layers("""
                - repeat: 2
                  layers:
                    - repeat: 2
                      layers:
                        - dense: {units: 4, name: h}
            """)
        #expect(expanded.map(\.name) == ["h.0.0", "h.0.1", "h.1.0", "h.1.1"])
        #expect(expanded.map(\.inputs) == [["input"], ["h.0.0"], ["h.0.1"], ["h.1.0"]])
    }

    @Test func aResidualBlockIsItsLayersAndAnAdd() throws {
        let expanded = try layers("""
                - conv2d: {filters: 4, kernel: 3, padding: same}
                - residual:
                    layers:
                      - conv2d: {filters: 4, kernel: 3, padding: same}
                      - relu
                - residual:
                    name: second
                    projection: none
                    from: conv2d_0
                    layers:
                      - conv2d: {filters: 4, kernel: 1}
                - add: {from: [residual_3, second]}
            """)
        #expect(expanded.map(\.name) == ["conv2d_0", "conv2d_1", "relu_2", "residual_3", "conv2d_4", "second", "add_6"])
        #expect(expanded[3].inputs == ["relu_2", "conv2d_0"])
        #expect(expanded[3].config == .add)
        #expect(expanded[3].residual?.projection == .auto)
        #expect(expanded[4].inputs == ["conv2d_0"])
        #expect(expanded[5].inputs == ["conv2d_4", "conv2d_0"])
        #expect(expanded[5].residual?.projection == ProjectionSpelling.none)
    }

    @Test func residualBlocksRepeatWithTheirOwnNames() throws {
        let expanded = try layers("""
                - repeat: 2
                  layers:
                    - residual: {name: block, layers: [dense: {units: 4, name: inner}]}
            """)
        #expect(expanded.map(\.name) == ["inner.0", "block.0", "inner.1", "block.1"])
        #expect(expanded.map(\.inputs) == [["input"], ["inner.0", "input"], ["block.0"], ["inner.1", "block.0"]])
    }
}

/// `ResidualProjection.none` spelled so that it is not read as `Optional.none`.
typealias ProjectionSpelling = ResidualProjection
