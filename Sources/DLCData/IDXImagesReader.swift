/// Reads an IDX images file alone (plain or gzip-compressed), without labels: what `dlc predict`
/// takes for a model trained on IDX images.
public enum IDXImagesReader {
    /// Whether `path` names an IDX file by the usual conventions (`...-idx3-ubyte`,
    /// `...idx3-ubyte.gz`, `.idx`, `.idx.gz`), so a reader can pick IDX over CSV by the name.
    public static func looksLikeIDX(_ path: String) -> Bool {
        let name = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
        let base = name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
        return base.hasSuffix("ubyte") || base.hasSuffix(".idx")
    }

    /// The images as floats, `[count, values per image]`, with each image's shape (`[H, W, 1]`
    /// for a 3-dimensional file, like the training loader). Pixels keep their raw values.
    public static func read(path: String) throws(DataError) -> (values: [Float], count: Int, exampleShape: [Int]) {
        let file = try IDXFile(path: path, reportedPath: path)
        let dimensions = file.header.dimensions
        guard dimensions.count >= 2 else {
            throw file.problem("an images file needs at least 2 dimensions (examples x values), but this one has shape \(file.header.shapeText)")
        }
        guard file.header.dataSize <= Dataset.maximumValueCount else {
            throw .unreadable(path: path, reason: "the images have \(file.header.dataSize) values, more than the 2 GiB limit of float32 values")
        }
        var shape = Array(dimensions.dropFirst())
        if shape.count == 2 { shape.append(1) }
        try file.checkSize()
        return (try IDXDatasetReader.floats(of: file), dimensions[0], shape)
    }
}
