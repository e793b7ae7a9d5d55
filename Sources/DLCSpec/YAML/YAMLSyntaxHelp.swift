/// Plain-words advice for libyaml's most common complaints.
enum YAMLSyntaxHelp {
    /// Whether libyaml reached the end (or the next line) while a quote, list or mapping was open.
    static func isUnclosed(_ problem: String, context: String) -> Bool {
        let opened = context.contains("quoted scalar") || context.contains("flow sequence") || context.contains("flow mapping")
        return opened && (problem.contains("end of stream") || problem.hasPrefix("did not find expected ','"))
    }

    static func unclosedMessage(context: String) -> String {
        if context.contains("quoted scalar") { return "this quote is never closed" }
        if context.contains("flow sequence") { return "this `[` is never closed" }
        return "this `{` is never closed"
    }

    static func advice(for problem: String) -> String? {
        switch problem {
        case "mapping values are not allowed in this context":
            return "a `key: value` cannot follow a value on the same line; check the indentation, or quote a value that holds `: `"
        case "did not find expected key":
            return "check that every key in this mapping is indented the same"
        case "did not find expected ',' or ']'":
            return "close the list with `]`, and separate its items with `,`"
        case "did not find expected ',' or '}'":
            return "close the mapping with `}`, and separate its entries with `,`"
        case "found unexpected end of stream":
            return "a quote or bracket was opened and never closed"
        case "found character that cannot start any token":
            return "quote the value if it starts with `@`, `` ` `` or another reserved character"
        case "could not find expected ':'":
            return "a key needs `:` after it; a value on its own line needs a `- ` in a list"
        case "block sequence entries are not allowed in this context":
            return "a `- ` item cannot stand on the same line as a key; put it on the next line, indented"
        case "found undefined tag handle":
            return "spec values need no tags; remove the `!`"
        case "found unexpected ':'":
            return "put a space after `:` and give the key a value"
        default:
            return nil
        }
    }
}
