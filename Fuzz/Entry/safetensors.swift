/// libFuzzer's entry point for the `safetensors` target (`Fuzz/Targets/SafetensorsTarget.swift`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    SafetensorsTarget.run(data, size)
    return 0
}
