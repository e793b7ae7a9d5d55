/// Reads an IDX pair's metadata: the images' shape and count and the labels' distinct values.
///
/// Reads the images file's header only (and, for a gzip file whose trailer disagrees with the
/// header, counts its decompressed bytes); reads the labels file whole, as it is small.
enum IDXMetadataReader {
    /// Reads the pair at the resolved paths; errors name `images` and `labels` as written.
    static func read(images: String, labels: String, resolvedImages: String, resolvedLabels: String) throws(DataError) -> DatasetMetadata {
        let imagesFile = try IDXFile(path: resolvedImages, reportedPath: images)
        let imageDimensions = imagesFile.header.dimensions
        guard imageDimensions.count >= 2 else {
            throw imagesFile.problem("an images file needs at least 2 dimensions (examples x values), but this one has shape \(imagesFile.header.shapeText)")
        }
        let labelsFile = try IDXFile(path: resolvedLabels, reportedPath: labels)
        guard labelsFile.header.dimensions.count == 1 else {
            throw labelsFile.problem("a labels file needs 1 dimension, but this one has shape \(labelsFile.header.shapeText)")
        }
        let imageCount = imageDimensions[0]
        let labelCount = labelsFile.header.dimensions[0]
        guard labelCount == imageCount else {
            throw labelsFile.problem("the labels file has \(labelCount) labels, but the images file `\(images)` has \(imageCount) images")
        }
        try imagesFile.checkSize()
        try labelsFile.checkSize()
        let labelValues = try labelsFile.distinctDataBytes().sorted()

        var exampleShape = Array(imageDimensions.dropFirst())
        if exampleShape.count == 2 { exampleShape.append(1) }
        return DatasetMetadata(
            exampleShape: exampleShape,
            exampleCount: imageCount,
            featureNames: [],
            target: .classes(labelValues.map { String($0) }),
            targetIsNumeric: true)
    }
}
