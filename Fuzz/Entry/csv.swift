/// libFuzzer's entry point for the `csv` target (`Fuzz/Targets/CSVTarget.swift`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    CSVTarget.run(data, size)
    return 0
}
