import CZlib
import DLCData
import Foundation

/// IDX files (plain or gzip-compressed, told apart by the magic bytes as dlc does) through the
/// checker's header reading and the training loader. The first byte picks the role: bit 0 set,
/// the input is the labels file beside a valid images file, else the images file beside valid
/// labels; bit 1 set, the input is gzip-compressed first, so the mutations reach the IDX reader
/// through zlib as well.
enum IDXTarget {
    static func run(_ data: UnsafePointer<UInt8>, _ size: Int) {
        guard size >= 1 else { return }
        let role = data[0]
        var bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
        if role & 0x02 != 0 { bytes = FuzzSupport.gzip(bytes) }
        let fuzzed = FuzzSupport.write(bytes, named: "fuzz.idx")
        let images = role & 0x01 == 0 ? fuzzed : FuzzSupport.validIDXImages
        let labels = role & 0x01 == 0 ? FuzzSupport.validIDXLabels : fuzzed
        let source = DataSourceDescription.idx(images: images, labels: labels)
        _ = try? DatasetMetadataReader.read(source, baseDirectory: "")
        _ = try? DatasetLoader.loadTable(source, baseDirectory: "", task: .classification, seed: 1)
        _ = IDXImagesReader.looksLikeIDX(fuzzed)
        _ = try? IDXImagesReader.read(path: fuzzed)
    }
}

extension FuzzSupport {
    /// `bytes` as one gzip member (zlib's deflate, through the `gzip` tool's format).
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return bytes
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        var input = bytes
        let produced: Int = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                _ = deflate(&stream, Z_FINISH)
                return target.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }
}
