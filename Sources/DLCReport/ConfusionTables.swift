import DLCRuntime
/// The report's confusion matrices: one table per run and split (test, else validation), the
/// diagonal shaded, each cell's count with its share of the true class's row.
public enum ConfusionTables {
    public static func html(_ runs: [RunFolder]) -> String {
        var html = ""
        for run in runs {
            guard let confusion = run.summary?.confusion else { continue }
            guard let (split, counts) = ["test", "val", "train"].lazy.compactMap({ name in confusion.splits[name].map { (name, $0) } }).first else { continue }
            let names = counts.indices.map { $0 < confusion.classes.count ? confusion.classes[$0] : "\($0)" }
            html += "<div class=\"table-wrap\"><table class=\"summary confusion\"><caption>\(HTMLText.escape(run.name)): \(split) split, "
                + "rows are the true class, columns the predicted one</caption><thead><tr><th></th>"
            html += names.map { "<th class=\"num\">\(HTMLText.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            for (row, name) in names.enumerated() {
                let total = max(counts[row].reduce(0, +), 1)
                html += "<tr><th>\(HTMLText.escape(name))</th>"
                for (column, count) in counts[row].enumerated() {
                    let share = Int((Double(count) / Double(total) * 100).rounded())
                    let style = row == column ? " style=\"font-weight:600\"" : ""
                    html += "<td class=\"num\"\(style)>\(HTMLText.count(count)) <span class=\"muted\">\(share)%</span></td>"
                }
                html += "</tr>"
            }
            html += "</tbody></table></div>"
        }
        return html.isEmpty ? "" : "<h3>Confusion matrices</h3>" + html
    }
}
