import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// Issue 10, items 17 and 20, in the library.
@Suite("Hardening: receipt queue and terminal text")
struct HardeningQueueTests {
    @Test("10.17 one drain sets aside each bad line with its reason and takes every good one")
    func reasons() throws {
        let f = try ReceiptQueueTests.Fixture()
        let r = try f.receipts(0..<4)
        try f.store.append(r[0])
        let stranger = try AuditReceiptGenerator(deviceKey: try PrivateKey.generate(.ed25519), seed: 9).receipts(0..<1)[0].bytes
        let original = try Envelope.parse(r[2])
        var forged = Envelope(payloadType: original.payloadType, payload: original.payload)
        try forged.sign(with: try PrivateKey.generate(.ed25519))
        for line in [r[1], stranger, Array(#"{"not":"a receipt"}"#.utf8), try AuditEntry(envelope: forged).bytes, r[0], r[2], r[2], r[3]] {
            try f.store.queue.append(line)
        }
        let drained = try f.store.flush()
        #expect(drained.appended == 3)
        #expect(drained.setAside == [.unknownKey: 1, .malformed: 1, .forged: 1, .replayed: 2])
        #expect(try f.logged() == r)
        #expect(try f.store.queue.setAsideCount() == 5)
        let words = String(decoding: try Data(contentsOf: URL(fileURLWithPath: f.store.queue.rejectedPath)), as: UTF8.self)
            .split(separator: "\n").map { $0.prefix { $0 != " " } }
        #expect(words.sorted() == ["forged", "malformed", "replayed", "replayed", "unknown-key"])
        var verifier = AuditVerifier()
        verifier.deviceKeys = [f.deviceKey.publicKey]
        let result = try verifier.verify(try AuditLog.open(f.store.path))
        #expect(!result.isValid && result.checks.last?.id == .queue && result.checks.last?.status == .fail)
    }

    @Test("10.20 terminal text escapes C0 (but tab), DEL, C1 and bidi controls; pretty JSON escapes them as \\u")
    func terminalText() throws {
        let hostile = "ok\tA\u{1b}[31mB\rC\nD\u{7f}E\u{9b}F\u{202e}G\u{2066}H"
        #expect(TerminalText.inline(hostile) == "ok\tA" + #"\u{1b}[31mB\u{d}C\u{a}D\u{7f}E\u{9b}F\u{202e}G\u{2066}H"#)
        #expect(TerminalText.sanitized(hostile).contains("C\nD"))
        #expect(TerminalText.sanitized("plain ASCII\n") == "plain ASCII\n")
        let rendered = JSONPrettyPrinter.render(["k\u{9b}": .string(hostile)])
        #expect(!rendered.unicodeScalars.contains { TerminalText.isUnsafe($0, keepNewlines: true) })
        #expect(try JSONParser.parse(Array(rendered.utf8)) == ["k\u{9b}": .string(hostile)], "the same JSON value")
    }
}
