/// Loads an IDX pair (plain or gzip-compressed): images as floats, labels as class indices.
///
/// Pixels keep their raw values (0...255 for MNIST, 0...16 for digits): scaling is the
/// ``Normalizer``'s job. Each file is read or decompressed once, and its bytes are converted to
/// floats chunk by chunk straight into the dataset's storage, so no copy of the whole file is kept.
enum IDXDatasetReader {
    /// Loads the pair at the resolved paths; errors name `images` and `labels` as written.
    ///
    /// The classes are the distinct label values in increasing order (their names are the
    /// values as text, as ``IDXMetadataReader`` gives them); a label's class index is its rank.
    static func read(images: String, labels: String, resolvedImages: String, resolvedLabels: String) throws(DataError) -> Dataset {
        let pair = try IDXMetadataReader.openPair(
            images: images, labels: labels, resolvedImages: resolvedImages, resolvedLabels: resolvedLabels)
        let count = pair.images.header.dimensions[0]
        let valueCount = pair.images.header.dataSize
        guard valueCount <= Dataset.maximumValueCount - count else {
            throw .unreadable(path: images, reason: "the images have \(valueCount) values, more than the 2 GiB limit of float32 values")
        }
        let features = try floats(of: pair.images)
        let labelBytes = try floats(of: pair.labels)

        // Distinct label values in increasing order; a value's class index is its rank.
        var isPresent = [Bool](repeating: false, count: 256)
        for value in labelBytes { isPresent[Int(value)] = true }
        let values = isPresent.indices.filter { isPresent[$0] }
        var classOfValue = [Float](repeating: 0, count: 256)
        for (index, value) in values.enumerated() { classOfValue[value] = Float(index) }
        let labels = labelBytes.map { classOfValue[Int($0)] }

        return Dataset(
            features: features,
            exampleShape: pair.exampleShape,
            count: count,
            labels: labels,
            targets: [],
            targetWidth: 1,
            classNames: values.map { String($0) })
    }

    /// Every data byte of `file` as a float, `[dataSize]`, converted as it is read.
    static func floats(of file: IDXFile) throws(DataError) -> [Float] {
        let size = file.header.dataSize
        var failure: DataError?
        var filled = 0
        let values = [Float](unsafeUninitializedCapacity: size) { buffer, initializedCount in
            guard let base = buffer.baseAddress else { return }
            let outcome = Result { () throws(DataError) in
                try file.readData { chunk, offset in
                    guard let source = chunk.baseAddress else { return }
                    convert(source, count: chunk.count, into: base + offset)
                    filled = max(filled, offset + chunk.count)
                }
            }
            if case .failure(let error) = outcome { failure = error }
            // The data is contiguous from 0; anything short of `size` is an error reported below.
            initializedCount = failure == nil && filled == size ? size : 0
        }
        if let failure { throw failure }
        guard values.count == size else {
            throw file.problem("the data ended after \(filled) of \(size) bytes")
        }
        return values
    }

    /// Converts `count` bytes to floats: `destination[i] = Float(source[i])`.
    @inline(__always)
    private static func convert(_ source: UnsafePointer<UInt8>, count: Int, into destination: UnsafeMutablePointer<Float>) {
        for index in 0..<count {
            destination[index] = Float(source[index])
        }
    }
}
