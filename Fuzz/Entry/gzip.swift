/// libFuzzer's entry point for the `gzip` target (`Fuzz/Targets/GzipTarget.swift`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    GzipTarget.run(data, size)
    return 0
}
