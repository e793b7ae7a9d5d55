/// What a data set's examples are labelled with.
public enum DataTarget: Sendable, Hashable {
    /// Class labels; names sorted (numerically when every label is an integer, else lexicographically).
    case classes([String])
    /// Regression targets: the number of target columns.
    case values(width: Int)

    /// Sorts class names the way ``classes(_:)`` holds them: by value when every name is an
    /// integer (`2` before `10`), otherwise by their UTF-8 bytes. A class's index in the result
    /// is its class index.
    public static func sortedClassNames(_ names: some Sequence<String>) -> [String] {
        let list = Array(names)
        if list.allSatisfy({ NumericText.isInteger($0.utf8) }) {
            return list.sorted { NumericText.integerPrecedes($0.utf8, $1.utf8) }
        }
        return list.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

extension DataTarget {
    /// Whether a label is a decimal number.
    public static func isNumeric(_ label: String) -> Bool {
        NumericText.isDecimal(label.utf8)
    }
}
