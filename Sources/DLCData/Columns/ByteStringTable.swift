/// Interns byte strings (a CSV column's cells) as small integer codes, in first-seen order.
///
/// An open-addressing hash table over FNV-1a hashes whose keys are copied into one growing byte
/// array, so interning a cell costs no allocation and no reference counting: a category column
/// of a million rows reads at the speed of its bytes.
struct ByteStringTable {
    /// The distinct strings' bytes, one after another.
    private var storage: [UInt8] = []
    /// Where each distinct string starts in `storage` and how long it is, by code.
    private var spans: [(start: Int, count: Int)] = []
    /// Per slot: code + 1 (0 = empty).
    private var slots = [Int32](repeating: 0, count: 64)
    /// Per slot: the hash of its string, to skip most byte comparisons.
    private var hashes = [UInt32](repeating: 0, count: 64)

    /// The number of distinct strings.
    var count: Int { spans.count }

    /// The code of `bytes`, adding it when it is new.
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let hash = Self.hash(bytes)
        var slot = Int(hash) & (slots.count - 1)
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if hashes[slot] == hash, equals(Int(entry - 1), bytes) { return entry - 1 }
            slot = (slot + 1) & (slots.count - 1)
        }
        let code = Int32(spans.count)
        spans.append((storage.count, bytes.count))
        storage.append(contentsOf: bytes)
        slots[slot] = code + 1
        hashes[slot] = hash
        if spans.count * 2 > slots.count { grow() }
        return code
    }

    /// The string of `code`, decoded as UTF-8.
    func string(_ code: Int) -> String {
        let span = spans[code]
        return String(decoding: storage[span.start..<(span.start + span.count)], as: UTF8.self)
    }

    private func equals(_ code: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let span = spans[code]
        guard span.count == bytes.count else { return false }
        return storage.withUnsafeBufferPointer { stored in
            for index in 0..<span.count where stored[span.start + index] != bytes[index] { return false }
            return true
        }
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        var newSlots = [Int32](repeating: 0, count: capacity)
        var newHashes = [UInt32](repeating: 0, count: capacity)
        for (slot, entry) in slots.enumerated() where entry != 0 {
            var target = Int(hashes[slot]) & (capacity - 1)
            while newSlots[target] != 0 { target = (target + 1) & (capacity - 1) }
            newSlots[target] = entry
            newHashes[target] = hashes[slot]
        }
        slots = newSlots
        hashes = newHashes
    }

    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }
}
