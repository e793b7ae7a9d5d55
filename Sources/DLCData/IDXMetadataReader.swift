/// Reads an IDX pair's metadata: the images' shape and count and the labels' distinct values.
///
/// Reads the images file's header only (and, for a gzip file whose trailer disagrees with the
/// header, counts its decompressed bytes); reads the labels file whole, as it is small.
enum IDXMetadataReader {
    /// Reads the pair at the resolved paths; errors name `images` and `labels` as written.
    static func read(images: String, labels: String, resolvedImages: String, resolvedLabels: String) throws(DataError) -> DatasetMetadata {
        let pair = try openPair(images: images, labels: labels, resolvedImages: resolvedImages, resolvedLabels: resolvedLabels)
        try pair.images.checkSize()
        try pair.labels.checkSize()
        let labelValues = try pair.labels.distinctDataBytes().sorted()
        return DatasetMetadata(
            exampleShape: pair.exampleShape,
            exampleCount: pair.images.header.dimensions[0],
            featureNames: [],
            target: .classes(labelValues.map { String($0) }),
            targetIsNumeric: true)
    }

    /// Opens an IDX pair and reads their headers: images `[N, ...]` (at least 2 dimensions) and
    /// labels `[N]`. Returns the files and the shape of one example. Shared with ``IDXDatasetReader``.
    ///
    /// The example shape is the images' dimensions after `N`, with a channel axis of 1 added to
    /// `N x H x W` images (`[H, W, 1]`).
    static func openPair(
        images: String, labels: String, resolvedImages: String, resolvedLabels: String
    ) throws(DataError) -> (images: IDXFile, labels: IDXFile, exampleShape: [Int]) {
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
        var exampleShape = Array(imageDimensions.dropFirst())
        if exampleShape.count == 2 { exampleShape.append(1) }
        return (imagesFile, labelsFile, exampleShape)
    }
}
