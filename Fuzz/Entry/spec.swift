/// libFuzzer's entry point for the `spec` target (`Fuzz/Targets/SpecTarget.swift`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    SpecTarget.run(data, size)
    return 0
}
