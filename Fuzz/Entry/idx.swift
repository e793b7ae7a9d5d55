/// libFuzzer's entry point for the `idx` target (`Fuzz/Targets/IDXTarget.swift`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    IDXTarget.run(data, size)
    return 0
}
