import ArgumentParser
import Attest
import AttestCrypto

struct AuditShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one entry of a log: its columns, leaf hash, signatures and payload.")

    @Argument(help: "The log.")
    var log: String

    @Argument(help: "The entry's index (from 0).")
    var index: UInt64

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Print only the entry's bytes (the canonical envelope), e.g. for 'attest inspect -'.")
    var envelope = false

    func run() throws {
        let audit = try AuditLog.open(log)
        let stored = try audit.entry(at: index)
        if envelope {
            Terminal.write(String(decoding: stored.bytes, as: UTF8.self) + "\n")
            return
        }
        let matches = MerkleTree.leafHash(stored.bytes) == stored.leafHash
        let parsed = try? Envelope.parse(stored.bytes)
        let payload = parsed.flatMap { try? JSONParser.parse($0.payload) }
        if json {
            var members: [(String, JSONValue)] = [("entry", stored.record.json)]
            members.append(("leafHash", .string(Base64.encode(stored.leafHash))))
            members.append(("leafHashMatches", .bool(matches)))
            members.append(("envelope", (try? JSONParser.parse(stored.bytes)) ?? .null))
            members.append(("payload", payload ?? .null))
            Terminal.write(JSONPrettyPrinter.render(.object(JSONObject(uniqueMembers: members))) + "\n")
            return
        }
        let r = stored.record
        var out = "entry      \(r.index) of \(try audit.size()) in \(log)\n"
        out += "leaf hash  \(Base64.encode(stored.leafHash))\(matches ? "" : "  (DOES NOT MATCH the entry's bytes: run 'attest audit verify')")\n"
        out += "type       \(r.kind.rawValue)\(r.event.map { " (\($0))" } ?? "")\n"
        out += "time       \(r.time)\n"
        if let d = r.decision { out += "decision   \(d)\(r.failed.isEmpty ? "" : "  failed: \(r.failed.joined(separator: ", "))")\n" }
        if let m = r.manifestID { out += "manifest   \(m)  \(r.manifestDigest ?? "")\n" }
        if let i = r.issuer { out += "issuer     \(i)\n" }
        if let d = r.device { out += "device     \(d)\n" }
        out += "region     \(r.region)\n"
        if !r.chips.isEmpty { out += "chips      \(r.chips.joined(separator: ", "))\n" }
        if !r.workloads.isEmpty { out += "workloads  \(r.workloads.joined(separator: ", "))\n" }
        for signature in parsed?.signatures ?? [] { out += "signed by  \(signature.keyID.map(TerminalText.inline) ?? "(no keyid)")\n" }
        out += "payload:\n" + (payload.map { JSONPrettyPrinter.render($0) } ?? "(unreadable)") + "\n"
        Terminal.write(out)
    }
}
