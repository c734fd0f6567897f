
/// `audit report --html`: one self-contained page for auditors: counts by region, issuer and decision, a
/// timeline of allow and deny, the denials with the checks that failed, and the log's newest checkpoint.
///
/// Guarantees: the page loads nothing (inline CSS, JS and SVG; a Content-Security-Policy that forbids every
/// fetch), escapes every value taken from the log, and states each count once in a `data-count` attribute, so a
/// test can read what a person sees. It reads the indexed columns in one snapshot: it reports, `audit verify`
/// proves.
public struct AuditReport: Sendable {
    public struct Count: Sendable, Equatable {
        public let key: String
        public var entries: Int
        public var allow: Int
        public var deny: Int
    }

    public struct Bucket: Sendable, Equatable {
        public let label: String
        public var allow: Int
        public var deny: Int
        public var issued: Int
    }

    public let path: String
    public let origin: String
    public let verifierKey: String
    public let generatedAt: Timestamp
    public let total: Int
    public let manifests: Int
    public let receipts: Int
    public let byRegion: [Count]
    public let byIssuer: [Count]
    public let byDecision: [Count]
    public let timeline: [Bucket]
    /// The bucket unit: hour, day or month.
    public let timelineUnit: String
    /// Denying receipts, oldest first, up to `denialLimit`.
    public let denials: [AuditRecord]
    public let denialCount: Int
    public let checkpoint: String?

    public static let denialLimit = 1000

    /// Reads the counts from `log` in one snapshot.
    public static func make(_ log: AuditLog, now: Timestamp = Timestamp.now()) throws(AttestError) -> AuditReport {
        try log.read { db in
            let receiptType = PayloadType.receipt.rawValue
            let manifestType = PayloadType.manifest.rawValue
            func count(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> Int {
                Int(try db.fetchInt(sql, arguments) ?? 0)
            }
            let total = try count("SELECT count(*) FROM entries")
            let manifests = try count("SELECT count(*) FROM entries WHERE payload_type = ?", [.text(manifestType)])
            let receipts = try count("SELECT count(*) FROM entries WHERE payload_type = ?", [.text(receiptType)])
            func counts(_ column: String) throws -> [Count] {
                try db.fetchAll("""
                    SELECT \(column), count(*), COALESCE(SUM(decision = 'allow'), 0), COALESCE(SUM(decision = 'deny'), 0)
                    FROM entries WHERE \(column) IS NOT NULL GROUP BY \(column) ORDER BY count(*) DESC, \(column)
                    """) { Count(key: $0.text(0), entries: Int($0.int64(1)), allow: Int($0.int64(2)), deny: Int($0.int64(3))) }
            }
            let byDecision = try db.fetchAll("""
                SELECT decision, count(*) FROM entries WHERE decision IS NOT NULL GROUP BY decision ORDER BY decision
                """) { row -> Count in
                    let decision = row.text(0)
                    let n = Int(row.int64(1))
                    return Count(key: decision, entries: n, allow: decision == "allow" ? n : 0, deny: decision == "deny" ? n : 0)
                }
            let (timeline, unit) = try Self.timeline(db)
            var denials: [AuditRecord] = []
            let rows = try db.query("SELECT \(AuditLog.recordColumns) FROM entries WHERE decision = 'deny' ORDER BY idx LIMIT ?",
                                    [SQLiteValue(denialLimit)])
            while try rows.step() { denials.append(try AuditLog.record(rows)) }
            let denialCount = try count("SELECT count(*) FROM entries WHERE decision = 'deny'")
            return AuditReport(path: log.path, origin: log.origin, verifierKey: log.verifierKeyText, generatedAt: now,
                               total: total, manifests: manifests, receipts: receipts,
                               byRegion: try counts("region"), byIssuer: try counts("issuer"), byDecision: byDecision,
                               timeline: timeline, timelineUnit: unit, denials: denials, denialCount: denialCount,
                               checkpoint: try AuditLog.latestCheckpoint(db)?.note)
        }
    }

    /// Buckets of an hour, a day or a month, whichever keeps the span readable, with empty ones filled in.
    private static func timeline(_ db: SQLiteConnection) throws -> ([Bucket], String) {
        guard let (firstText, lastText) = try db.fetchOne("SELECT min(time), max(time) FROM entries", [], { ($0.optionalText(0), $0.optionalText(1)) }),
              let first = firstText.flatMap(Timestamp.init), let last = lastText.flatMap(Timestamp.init) else {
            return ([], "day")
        }
        let span = last.seconds - first.seconds
        let (length, unit, step): (Int, String, Int64) = span <= 2 * 86_400 ? (13, "hour", 3600)
            : span <= 120 * 86_400 ? (10, "day", 86_400) : (7, "month", 0)
        var found: [String: Bucket] = [:]
        let buckets = try db.fetchAll("""
            SELECT substr(time, 1, \(length)) AS b, COALESCE(SUM(decision = 'allow'), 0), COALESCE(SUM(decision = 'deny'), 0),
                   COALESCE(SUM(payload_type = ?), 0)
            FROM entries GROUP BY b ORDER BY b
            """, [.text(PayloadType.manifest.rawValue)]) {
            Bucket(label: $0.text(0), allow: Int($0.int64(1)), deny: Int($0.int64(2)), issued: Int($0.int64(3)))
        }
        for bucket in buckets { found[bucket.label] = bucket }
        var labels: [String] = []
        if step > 0 {
            var t = Timestamp(seconds: first.seconds - first.seconds % step)
            while t <= last, labels.count < 10_000 {
                labels.append(String(t.description.prefix(length)))
                t = t.adding(seconds: step)
            }
        } else {
            let start = first.description, end = last.description
            var year = Int(start.prefix(4)) ?? 0, month = Int(start.dropFirst(5).prefix(2)) ?? 1
            while labels.count < 10_000 {
                let label = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year) + "-" + (month < 10 ? "0" : "") + String(month)
                labels.append(label)
                if label >= String(end.prefix(7)) { break }
                month += 1
                if month == 13 { month = 1; year += 1 }
            }
        }
        return (labels.map { found[$0] ?? Bucket(label: $0, allow: 0, deny: 0, issued: 0) }, unit)
    }

    // MARK: HTML

    /// The page.
    public var html: String {
        var h = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Audit report: \(esc(origin))</title>
            <style>\(Self.css)</style>
            </head>
            <body>
            <header>
            <h1>Audit report</h1>
            <p class="sub">Log <code>\(esc(path))</code> · origin <code>\(esc(origin))</code> · generated \(generatedAt)</p>
            </header>
            <section id="summary">
            <div class="card"><span class="label">Entries</span><span class="big" id="total" data-count="\(total)">\(total)</span></div>
            <div class="card"><span class="label">Manifests</span><span class="big" id="manifests" data-count="\(manifests)">\(manifests)</span></div>
            <div class="card"><span class="label">Receipts</span><span class="big" id="receipts" data-count="\(receipts)">\(receipts)</span></div>
            <div class="card allow"><span class="label">Allowed</span><span class="big" id="allowed" data-count="\(count("allow"))">\(count("allow"))</span></div>
            <div class="card deny"><span class="label">Denied</span><span class="big" id="denied" data-count="\(denialCount)">\(denialCount)</span></div>
            </section>

            """
        h += "<section><h2>Timeline</h2>\n" + timelineSVG + "</section>\n"
        h += "<section class=\"tables\">\n"
        h += countTable(id: "by-region", title: "By region", keyName: "Region", byRegion, decisions: true)
        h += countTable(id: "by-issuer", title: "By issuer", keyName: "Issuer", byIssuer, decisions: false,
                        empty: "No manifests in this log: receipts do not name an issuer.")
        h += countTable(id: "by-decision", title: "By decision", keyName: "Decision", byDecision, decisions: false,
                        empty: "No receipts in this log.")
        h += "</section>\n"
        h += denialsSection
        h += """
            <section id="checkpoint"><h2>Checkpoint</h2>
            <p>Newest signed checkpoint (C2SP signed note). Verify it with the log's key, pinned out of band:</p>
            <pre id="vkey">\(esc(verifierKey))</pre>
            <pre id="checkpoint-note">\(esc(checkpoint ?? "(the log has no checkpoint)"))</pre>
            <p class="note">This page reports what the log's indexed columns say; <code>attest audit verify</code> proves them
            against the entries, the tree and this checkpoint.</p>
            </section>
            <script>\(Self.script)</script>
            </body>
            </html>

            """
        return h
    }

    private func count(_ decision: String) -> Int {
        byDecision.first { $0.key == decision }?.entries ?? 0
    }

    private func countTable(id: String, title: String, keyName: String, _ counts: [Count], decisions: Bool, empty: String = "No entries.") -> String {
        var h = "<div class=\"panel\"><h2>\(title)</h2>\n"
        guard !counts.isEmpty else { return h + "<p class=\"empty\" id=\"\(id)-empty\">\(esc(empty))</p></div>\n" }
        h += "<table id=\"\(id)\" class=\"sortable\"><thead><tr><th>\(keyName)</th><th class=\"n\">Entries</th>"
        if decisions { h += "<th class=\"n\">Allow</th><th class=\"n\">Deny</th>" }
        h += "</tr></thead><tbody>\n"
        for c in counts {
            h += "<tr data-key=\"\(esc(c.key))\"><td>\(esc(c.key))</td><td class=\"n\" data-count=\"\(c.entries)\">\(c.entries)</td>"
            if decisions {
                h += "<td class=\"n allow\" data-allow=\"\(c.allow)\">\(c.allow)</td><td class=\"n deny\" data-deny=\"\(c.deny)\">\(c.deny)</td>"
            }
            h += "</tr>\n"
        }
        return h + "</tbody></table></div>\n"
    }

    private var denialsSection: String {
        var h = "<section id=\"denials\"><h2>Denials</h2>\n"
        guard !denials.isEmpty else { return h + "<p class=\"empty\">No denials.</p></section>\n" }
        h += "<p><input id=\"denial-filter\" type=\"search\" placeholder=\"Filter denials (check id, region, chip…)\" aria-label=\"Filter denials\">"
        h += " <span id=\"denial-shown\">\(denials.count)</span> of \(denialCount) shown"
        if denialCount > denials.count { h += " (the first \(denials.count); <code>attest audit list --decision deny</code> lists all)" }
        h += "</p>\n<table id=\"denial-table\" class=\"sortable\"><thead><tr><th class=\"n\">Entry</th><th>Time</th><th>Event</th><th>Region</th>"
        h += "<th>Device</th><th>Manifest</th><th>Chips</th><th>Failed checks</th></tr></thead><tbody>\n"
        for r in denials {
            let failed = r.failed.map { "<span class=\"check\">\(esc($0))</span>" }.joined(separator: " ")
            h += "<tr data-index=\"\(r.index)\"><td class=\"n\">\(r.index)</td><td class=\"time\">\(esc(r.time))</td><td>\(esc(r.event ?? "-"))</td>"
            h += "<td>\(esc(r.region))</td><td><code title=\"\(esc(r.device ?? ""))\">\(esc(String((r.device ?? "-").prefix(12))))</code></td>"
            h += "<td><code>\(esc(r.manifestID ?? "(none)"))</code></td><td>\(esc(r.chips.joined(separator: ", ")))</td>"
            h += "<td class=\"failed\" data-failed=\"\(esc(r.failed.joined(separator: " ")))\">\(failed)</td></tr>\n"
        }
        return h + "</tbody></table></section>\n"
    }

    private var timelineSVG: String {
        guard !timeline.isEmpty else { return "<p class=\"empty\">No entries.</p>\n" }
        let width = 960.0, height = 240.0, left = 48.0, bottom = 36.0, top = 12.0
        let plotW = width - left - 12, plotH = height - bottom - top
        let maxValue = max(1, timeline.map { max($0.allow + $0.deny, $0.issued) }.max() ?? 1)
        let slot = plotW / Double(timeline.count)
        let bar = max(1, slot * 0.8)
        func y(_ v: Int) -> Double { top + plotH - plotH * Double(v) / Double(maxValue) }
        // One decimal, as "%.1f" would print it (coordinates here are small and finite).
        func f(_ v: Double) -> String {
            let tenths = Int((v * 10).rounded())
            return (tenths < 0 ? "-" : "") + "\(abs(tenths) / 10).\(abs(tenths) % 10)"
        }
        var s = "<svg id=\"timeline\" role=\"img\" aria-label=\"Allow and deny per \(timelineUnit)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        s += "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(width - 12))\" y2=\"\(f(top + plotH))\"/>\n"
        s += "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\"/>\n"
        s += "<text class=\"tick\" x=\"\(f(left - 6))\" y=\"\(f(top + 4))\" text-anchor=\"end\">\(maxValue)</text>\n"
        s += "<text class=\"tick\" x=\"\(f(left - 6))\" y=\"\(f(top + plotH))\" text-anchor=\"end\">0</text>\n"
        let onlyManifests = timeline.allSatisfy { $0.allow == 0 && $0.deny == 0 }
        for (i, b) in timeline.enumerated() {
            let x = left + Double(i) * slot + (slot - bar) / 2
            var tip = "\(b.label): \(b.allow) allow, \(b.deny) deny"
            if b.issued > 0 { tip += ", \(b.issued) manifests issued" }
            s += "<g class=\"bucket\" data-label=\"\(esc(b.label))\" data-allow=\"\(b.allow)\" data-deny=\"\(b.deny)\" data-issued=\"\(b.issued)\"><title>\(esc(tip))</title>"
            if onlyManifests {
                s += "<rect class=\"issued\" x=\"\(f(x))\" y=\"\(f(y(b.issued)))\" width=\"\(f(bar))\" height=\"\(f(top + plotH - y(b.issued)))\"/>"
            } else {
                s += "<rect class=\"allow\" x=\"\(f(x))\" y=\"\(f(y(b.allow)))\" width=\"\(f(bar))\" height=\"\(f(top + plotH - y(b.allow)))\"/>"
                s += "<rect class=\"deny\" x=\"\(f(x))\" y=\"\(f(y(b.allow + b.deny)))\" width=\"\(f(bar))\" height=\"\(f(y(b.allow) - y(b.allow + b.deny)))\"/>"
            }
            s += "</g>\n"
        }
        let labelled = Set([0, timeline.count / 2, timeline.count - 1])
        for i in labelled.sorted() {
            // The end labels hang inwards, so none is cut off at the edge.
            let (x, anchor) = i == 0 && timeline.count > 1 ? (left, "start")
                : i == timeline.count - 1 && timeline.count > 1 ? (width - 12, "end") : (left + (Double(i) + 0.5) * slot, "middle")
            s += "<text class=\"tick\" x=\"\(f(x))\" y=\"\(f(height - 12))\" text-anchor=\"\(anchor)\">\(esc(timeline[i].label))</text>\n"
        }
        s += "</svg>\n"
        s += onlyManifests
            ? "<p class=\"legend\"><span class=\"sw issued\"></span> manifests issued per \(timelineUnit)</p>\n"
            : "<p class=\"legend\"><span class=\"sw allow\"></span> allow <span class=\"sw deny\"></span> deny, per \(timelineUnit)</p>\n"
        return s
    }

    private func esc(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private static let css = """
        :root { --allow: #2e7d32; --deny: #c62828; --issued: #1565c0; --ink: #1b1f24; --muted: #5f6b7a; --line: #d8dee4; }
        * { box-sizing: border-box; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px; }
        h1 { margin: 0 0 4px; font-size: 24px; } h2 { font-size: 16px; margin: 0 0 8px; }
        .sub, .note, .legend, .empty { color: var(--muted); }
        section { margin: 20px 0; }
        #summary { display: flex; gap: 12px; flex-wrap: wrap; }
        .card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 140px; }
        .card .label { display: block; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .card .big { font-size: 26px; font-weight: 600; }
        .card.allow .big { color: var(--allow); } .card.deny .big { color: var(--deny); }
        .tables { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px; }
        .panel { border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { cursor: pointer; user-select: none; font-weight: 600; background: #f6f8fa; }
        th.sorted-asc::after { content: " \\25B2"; } th.sorted-desc::after { content: " \\25BC"; }
        .n { text-align: right; font-variant-numeric: tabular-nums; }
        td.allow { color: var(--allow); } td.deny { color: var(--deny); }
        .check { display: inline-block; background: #fdecea; color: var(--deny); border-radius: 4px; padding: 0 6px; margin: 1px 2px; font-family: ui-monospace, monospace; font-size: 12px; }
        svg { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 8px; }
        svg .axis { stroke: var(--muted); stroke-width: 1; } svg .tick { fill: var(--muted); font-size: 11px; }
        svg .allow, .sw.allow { fill: var(--allow); background: var(--allow); }
        svg .deny, .sw.deny { fill: var(--deny); background: var(--deny); }
        svg .issued, .sw.issued { fill: var(--issued); background: var(--issued); }
        .sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 12px; }
        pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 10px; overflow-x: auto; }
        code { font-family: ui-monospace, monospace; font-size: 12px; }
        input[type=search] { padding: 4px 8px; width: 320px; border: 1px solid var(--line); border-radius: 6px; }
        tr.hidden { display: none; }
        td.time { white-space: nowrap; }
        """

    // Sorting by column, filtering the denials; it marks the page ready when it has run, so a test can tell.
    private static let script = """
        (function () {
          "use strict";
          function cellValue(row, i) {
            var cell = row.cells[i];
            var text = cell ? cell.textContent.trim() : "";
            var n = Number(text);
            return text !== "" && !isNaN(n) ? n : text.toLowerCase();
          }
          document.querySelectorAll("table.sortable").forEach(function (table) {
            var heads = table.tHead ? table.tHead.rows[0].cells : [];
            Array.prototype.forEach.call(heads, function (th, i) {
              th.addEventListener("click", function () {
                var asc = !th.classList.contains("sorted-asc");
                Array.prototype.forEach.call(heads, function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
                th.classList.add(asc ? "sorted-asc" : "sorted-desc");
                var body = table.tBodies[0];
                var rows = Array.prototype.slice.call(body.rows);
                rows.sort(function (a, b) {
                  var x = cellValue(a, i), y = cellValue(b, i);
                  return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
                });
                rows.forEach(function (r) { body.appendChild(r); });
              });
            });
          });
          var filter = document.getElementById("denial-filter");
          var table = document.getElementById("denial-table");
          if (filter && table) {
            filter.addEventListener("input", function () {
              var q = filter.value.trim().toLowerCase();
              var shown = 0;
              Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
                var hit = q === "" || r.textContent.toLowerCase().indexOf(q) >= 0;
                r.classList.toggle("hidden", !hit);
                if (hit) { shown += 1; }
              });
              document.getElementById("denial-shown").textContent = String(shown);
            });
          }
          var sum = 0;
          document.querySelectorAll("#by-decision td[data-count]").forEach(function (td) { sum += Number(td.dataset.count); });
          document.body.dataset.decisionsTotal = String(sum);
          document.body.dataset.ready = "true";
        })();
        """
}
