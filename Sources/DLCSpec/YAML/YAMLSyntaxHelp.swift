/// Plain-words advice for libyaml's most common complaints.
enum YAMLSyntaxHelp {
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
        default:
            return nil
        }
    }
}
