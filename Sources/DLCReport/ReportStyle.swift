import DLCRuntime
import Foundation

/// The report page's style sheet: a light, quiet page of cards, system fonts only.
///
/// Charts scale with their card (`viewBox`), and the chart grid fills as many columns of at
/// least 520 pixels as the window allows, so the page reads on a phone and on a wide screen.
enum ReportStyle {
    static let css = """
    :root {
      --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --grid: #eef0f3; --page: #f6f7f9;
      --card: #ffffff; --accent: #2563eb; --best: #fef9c3; --fail: #d62728;
      color-scheme: light;
    }
    * { box-sizing: border-box; }
    body {
      margin: 0; background: var(--page); color: var(--ink);
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      -webkit-font-smoothing: antialiased;
    }
    header { padding: 28px 32px 8px; max-width: 1600px; margin: 0 auto; }
    header .brand { font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: var(--accent); font-weight: 600; }
    h1 { font-size: 26px; margin: 2px 0 0; font-weight: 650; }
    h2 { font-size: 20px; margin: 0 0 4px; font-weight: 650; }
    h3 { font-size: 15px; margin: 28px 0 10px; font-weight: 600; }
    main { max-width: 1600px; margin: 0 auto; padding: 8px 32px 24px; }
    section { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 22px 24px 24px;
      margin: 16px 0 24px; box-shadow: 0 1px 2px rgba(16, 24, 40, .04); }
    .muted { color: var(--muted); font-weight: 400; }
    .path { color: var(--muted); margin: 0 0 14px; font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      word-break: break-all; }
    h2 .name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-weight: 600; }
    .stats { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 4px; }
    .stat { border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; min-width: 120px; background: #fbfbfc; }
    .stat .label { font-size: 12px; color: var(--muted); }
    .stat .value { font-size: 20px; font-weight: 650; font-variant-numeric: tabular-nums; }
    .stat .detail { font-size: 12px; color: var(--muted); }
    .stat.warn .value { color: var(--fail); }
    .table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 10px; }
    table { border-collapse: collapse; width: 100%; font-size: 13px; }
    th, td { padding: 7px 12px; text-align: left; white-space: nowrap; border-bottom: 1px solid var(--line); }
    thead th { background: #f9fafb; color: var(--muted); font-weight: 600; font-size: 12px; position: sticky; top: 0; }
    tbody tr:last-child td { border-bottom: 0; }
    tbody tr:hover td { background: #f3f6fb; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.top { font-weight: 700; }
    th.sorted { color: var(--accent); }
    td.sorted { font-weight: 650; background: #f5f8ff; }
    tr.best td { background: var(--best); }
    tr.best td.sorted { background: #fdf0a6; }
    tr.failed td { color: #9ca3af; }
    td.name { font-weight: 600; }
    .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 8px; vertical-align: -1px; }
    .badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; }
    .status-completed { background: #dcfce7; color: #166534; }
    .status-stopped-early { background: #dbeafe; color: #1e40af; }
    .status-interrupted { background: #fef3c7; color: #92400e; }
    .status-failed { background: #fee2e2; color: #991b1b; }
    .status-other { background: #f3f4f6; color: #374151; }
    .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 520px), 1fr)); gap: 16px; }
    .card { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px 10px;
      break-inside: avoid; }
    figcaption { margin: 0 0 4px 4px; }
    .chart-title { font-weight: 600; font-size: 14px; }
    svg.chart { display: block; width: 100%; height: auto; overflow: visible; }
    svg.chart text { font-family: inherit; }
    .grid line { stroke: var(--grid); stroke-width: 1; }
    .axis { stroke: #9ca3af; stroke-width: 1; fill: none; }
    .tick text { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
    .axis-title { fill: #4b5563; font-size: 12px; }
    .series { fill: none; stroke-linejoin: round; stroke-linecap: round; }
    .guide { stroke-width: 1; stroke-dasharray: 2 3; opacity: .55; }
    circle.best-epoch { fill: rgba(255, 255, 255, .35); stroke-width: 2.2; }
    circle.trial { stroke: #fff; stroke-width: 1.2; fill-opacity: .9; }
    circle.trial.best { stroke: #111827; stroke-width: 2; fill-opacity: 1; }
    .failure-line { stroke: var(--fail); stroke-width: 1; stroke-dasharray: 3 3; opacity: .5; }
    .failure-label { fill: var(--fail); font-size: 11px; }
    .empty { fill: var(--muted); font-size: 13px; }
    .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 4px 4px 0; font-size: 12px; }
    .legend.shared { margin: 0 0 12px; }
    .key { display: inline-flex; align-items: center; gap: 6px; }
    .key.style { color: var(--muted); }
    .key.emphasized { font-weight: 700; }
    .notes { color: var(--muted); font-size: 13px; margin: 14px 0 0; padding-left: 18px; }
    footer { max-width: 1600px; margin: 0 auto; padding: 0 32px 32px; color: var(--muted); font-size: 12px; }
    code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
    @media (max-width: 640px) { header, main, footer { padding-left: 12px; padding-right: 12px; } section { padding: 14px; } }
    @media print { body { background: #fff; } section { box-shadow: none; } }

    """
}
