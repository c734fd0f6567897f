import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// The C2SP signed-note example, read from ../shared/vectors at test time.
@Suite("Signed note example", .enabled(if: Vectors.available))
struct SignedNoteVectorTests {
    static func example() throws -> JSONValue {
        try JSONParser.parse(Array(try Vectors.data("c2sp-signed-note/signed_note_example.json")))
    }

    @Test("the example vkey parses to the published name, key ID and key, and formats back")
    func verifierKey() throws {
        let ex = try Self.example()
        let text = try #require(ex["vkey"]?.stringValue)
        let vkey = try NoteVerifierKey(parsing: text)
        #expect(vkey.name == ex["keyName"]?.stringValue)
        #expect(String(format: "%08x", vkey.keyID) == ex["keyIdHex"]?.stringValue)
        #expect(vkey.rawPublicKey == hexBytes(try #require(ex["ed25519PublicKeyHex"]?.stringValue)))
        #expect(vkey.publicKey == (try PublicKey(pem: try #require(ex["publicKeyPem"]?.stringValue))))
        #expect(vkey.text == text)
        #expect(try NoteVerifierKey(name: vkey.name, publicKey: vkey.publicKey) == vkey)
    }

    @Test("the example note verifies with its vkey; a changed body byte or signature does not")
    func verifies() throws {
        let ex = try Self.example()
        let vkey = try NoteVerifierKey(parsing: try #require(ex["vkey"]?.stringValue))
        let noteText = try #require(ex["note"]?.stringValue)
        let note = try SignedNote(parsing: noteText)
        #expect(note.text == ex["signedTextUtf8"]?.stringValue)
        #expect(note.signatures.count == 1)
        #expect(note.signatures[0].signature == hexBytes(try #require(ex["ed25519SignatureHex"]?.stringValue)))
        #expect(note.formatted == noteText)
        let result = note.verify(keys: [vkey])
        #expect(result.isValid && result.verifiedNames == [vkey.name])

        // Every single byte of the body changed in turn (kept printable ASCII so the note still parses).
        let bytes = Array(noteText.utf8)
        for i in 0..<(note.text.utf8.count - 1) {
            var tampered = bytes
            tampered[i] = tampered[i] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
            let verdict = try SignedNote(parsing: tampered).verify(keys: [vkey])
            #expect(!verdict.isValid && verdict.failed.count == 1, "byte \(i)")
        }
        // Every bit of the signature proper flipped in turn.
        let signature = note.signatures[0]
        for bit in 0..<(signature.signature.count * 8) {
            var bad = signature.signature
            bad[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
            let forged = try SignedNote(text: note.text, signatures: [
                try NoteSignature(name: signature.name, keyID: signature.keyID, signature: bad),
            ])
            #expect(!forged.verify(keys: [vkey]).isValid, "bit \(bit)")
        }
    }

    @Test("a signature whose name or key ID differs from the vkey is ignored, not failed")
    func unknownKeys() throws {
        let ex = try Self.example()
        let vkey = try NoteVerifierKey(parsing: try #require(ex["vkey"]?.stringValue))
        let note = try SignedNote(parsing: try #require(ex["note"]?.stringValue))
        let s = note.signatures[0]
        for other in [try NoteSignature(name: "example.com/bar", keyID: s.keyID, signature: s.signature),
                      try NoteSignature(name: s.name, keyID: s.keyID ^ 1, signature: s.signature)] {
            let verdict = try SignedNote(text: note.text, signatures: [other]).verify(keys: [vkey])
            #expect(!verdict.isValid && verdict.unknown == [other] && verdict.failed.isEmpty)
            // ...and does not spoil a note that also carries the real signature.
            #expect(try SignedNote(text: note.text, signatures: [other, s]).verify(keys: [vkey]).isValid)
        }
        #expect(!note.verify(keys: []).isValid)
    }
}

/// Notes and checkpoints made with our own keys.
@Suite("Signed notes and checkpoints")
struct SignedNoteTests {
    static let root = MerkleTree.root(entries: [Array("a".utf8), Array("b".utf8), Array("c".utf8)])

    @Test("a note signed by our own Ed25519 key round-trips and verifies; cosignatures add up")
    func roundTrip() throws {
        let signer = try NoteSigner(name: "attest.example/log", privateKey: try PrivateKey.generate(.ed25519))
        let witness = try NoteSigner(name: "witness.example/w1", privateKey: try PrivateKey.generate(.ed25519))
        let text = "attest.example/log\n\nsome text with a blank line above and a plus + sign\n"
        let note = try SignedNote.sign(text, with: [signer])
        let parsed = try SignedNote(parsing: note.formatted)
        #expect(parsed == note && parsed.text == text)
        #expect(parsed.verify(keys: [signer.verifierKey]).isValid)
        let vkey = try NoteVerifierKey(parsing: signer.verifierKey.text)
        #expect(vkey == signer.verifierKey && parsed.verify(keys: [vkey]).isValid)

        let cosigned = try SignedNote(parsing: parsed.adding(signatureBy: witness).formatted)
        let both = cosigned.verify(keys: [signer.verifierKey, witness.verifierKey])
        #expect(both.isValid && both.verifiedNames == [signer.name, witness.name])
        let logOnly = cosigned.verify(keys: [signer.verifierKey])
        #expect(logOnly.isValid && logOnly.unknown.count == 1)
        // A known key whose signature fails rejects the note, even beside a good one.
        let good = cosigned.signatures[1]
        let broken = try NoteSignature(name: good.name, keyID: good.keyID, signature: good.signature.reversed())
        let spoiled = try SignedNote(text: text, signatures: [cosigned.signatures[0], broken]).verify(keys: [signer.verifierKey, witness.verifierKey])
        #expect(!spoiled.isValid && spoiled.verified.count == 1 && spoiled.failed == [broken])
    }

    @Test("only ed25519 keys sign notes, and only valid names")
    func signerRules() throws {
        let ecdsa = try PrivateKey.generate(.ecdsaP256)
        #expect(throws: AttestError.self) { try NoteSigner(name: "a.example", privateKey: ecdsa) }
        let ed = try PrivateKey.generate(.ed25519)
        for name in ["", "a b", "a+b", "a\u{00A0}b", "a\u{3000}b", "a\tb"] {
            #expect(throws: AttestError.self, "\(name.debugDescription)") { try NoteSigner(name: name, privateKey: ed) }
        }
        let signer = try NoteSigner(name: "a.example", privateKey: ed)
        for text in ["", "no final newline", "tab\there\n", "cr\r\n"] {
            #expect(throws: AttestError.self, "\(text.debugDescription)") { try signer.sign(text) }
        }
    }

    @Test("malformed notes are rejected")
    func malformedNotes() throws {
        let signer = try NoteSigner(name: "attest.example/log", privateKey: try PrivateKey.generate(.ed25519))
        let good = try SignedNote.sign("hello\n", with: [signer]).formatted
        let line = try #require(good.split(separator: "\n").last).description
        let blob = String(line.dropFirst("\u{2014} attest.example/log ".count))
        let bad: [String: String] = [
            "missing final newline": String(good.dropLast()),
            "no blank line": "hello\n" + line + "\n",
            "no signatures": "hello\n\n",
            "hyphen for em dash": "hello\n\n- attest.example/log \(blob)\n",
            "no space after em dash": "hello\n\n\u{2014}attest.example/log \(blob)\n",
            "no signature": "hello\n\n\u{2014} attest.example/log\n",
            "two spaces": "hello\n\n\u{2014} attest.example/log  \(blob)\n",
            "trailing space": "hello\n\n\(line) \n",
            "unpadded base64": "hello\n\n\(line.replacingOccurrences(of: "=", with: ""))\n",
            "url-safe base64": "hello\n\n\u{2014} attest.example/log \(blob.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))-\n",
            "too short": "hello\n\n\u{2014} attest.example/log AAAA\n",
            "plus in name": "hello\n\n\u{2014} attest+log \(blob)\n",
            "blank signature line": "hello\n\n\(line)\n\n",
            "carriage return": "hello\r\n\n\(line)\n",
            "control character": "hel\u{7}lo\n\n\(line)\n",
            "too many signatures": "hello\n\n" + String(repeating: line + "\n", count: SignedNote.maxSignatures + 1),
        ]
        for (why, text) in bad.sorted(by: { $0.key < $1.key }) {
            #expect(throws: AttestError.self, "\(why)") { try SignedNote(parsing: text) }
        }
        #expect(throws: AttestError.self) { try SignedNote(parsing: [0x68, 0xff, 0x0a, 0x0a] + Array(line.utf8) + [0x0a]) }
        // The limit itself is fine: the spec asks for at least 16.
        #expect(try SignedNote(parsing: "hello\n\n" + String(repeating: line + "\n", count: SignedNote.maxSignatures))
            .verify(keys: [signer.verifierKey]).isValid)
    }

    @Test("malformed vkeys are rejected")
    func malformedVerifierKeys() throws {
        let signer = try NoteSigner(name: "attest.example/log", privateKey: try PrivateKey.generate(.ed25519))
        let good = signer.verifierKey.text
        let parts = good.split(separator: "+", maxSplits: 2).map(String.init)
        let otherID = String(format: "%08x", signer.verifierKey.keyID ^ 1)
        let material = try #require(Data(base64Encoded: parts[2]))
        for text in [parts[0], parts[0] + "+" + parts[1], "+" + parts[1] + "+" + parts[2],
                     parts[0] + "+" + otherID + "+" + parts[2],
                     // Uppercase hex is refused (a key id of digits only has no uppercase form: then a wrong id is used).
                     parts[0] + "+" + (parts[1].uppercased() != parts[1] ? parts[1].uppercased() : "ABCDEF12") + "+" + parts[2],
                     parts[0] + "+" + parts[1] + "0+" + parts[2],
                     parts[0] + "+" + parts[1] + "+" + Data([0x02] + material.dropFirst()).base64EncodedString(),
                     parts[0] + "+" + parts[1] + "+" + Data(material.dropLast()).base64EncodedString(),
                     parts[0] + "+" + parts[1] + "+" + parts[2] + "=",
                     "other.example+" + parts[1] + "+" + parts[2]] {
            #expect(throws: AttestError.self, "\(text)") { try NoteVerifierKey(parsing: text) }
        }
        #expect(try NoteVerifierKey(parsing: good) == signer.verifierKey)
    }

    @Test("a checkpoint round-trips as text and as a signed note")
    func checkpointRoundTrip() throws {
        let checkpoint = try Checkpoint(origin: "attest.example/log", size: 3, rootHash: Self.root)
        #expect(checkpoint.text == "attest.example/log\n3\n\(Data(Self.root).base64EncodedString())\n")
        #expect(try Checkpoint(parsing: checkpoint.text) == checkpoint)
        let extended = try Checkpoint(origin: "o", size: 0, rootHash: MerkleTree.emptyRoot, extensions: ["x y", "z"])
        #expect(try Checkpoint(parsing: extended.text) == extended)
        #expect(try Checkpoint(parsing: "o\n18446744073709551615\n\(Data(Self.root).base64EncodedString())\n").size == .max)

        let signer = try NoteSigner(name: checkpoint.origin, privateKey: try PrivateKey.generate(.ed25519))
        let note = try SignedNote(parsing: try checkpoint.signed(by: [signer]).formatted)
        #expect(note.verify(keys: [signer.verifierKey]).isValid)
        #expect(try Checkpoint(parsing: note.text) == checkpoint)
    }

    @Test("malformed checkpoints are rejected")
    func malformedCheckpoints() throws {
        let root = Data(Self.root).base64EncodedString()
        let bad: [String: String] = [
            "missing final newline": "o\n3\n\(root)",
            "two lines": "o\n3\n",
            "empty origin": "\n3\n\(root)\n",
            "non-decimal size": "o\nthree\n\(root)\n",
            "hex size": "o\n0x3\n\(root)\n",
            "signed size": "o\n+3\n\(root)\n",
            "negative size": "o\n-3\n\(root)\n",
            "leading zero": "o\n03\n\(root)\n",
            "size with space": "o\n3 \n\(root)\n",
            "size past 64 bits": "o\n18446744073709551616\n\(root)\n",
            "bad base64": "o\n3\n\(root.dropLast(2))!=\n",
            "unpadded base64": "o\n3\n\(root.replacingOccurrences(of: "=", with: ""))\n",
            "short root": "o\n3\n\(Data(Self.root.dropLast()).base64EncodedString())\n",
            "empty extension line": "o\n3\n\(root)\n\next\n",
            "trailing blank line": "o\n3\n\(root)\n\n",
        ]
        for (why, text) in bad.sorted(by: { $0.key < $1.key }) {
            #expect(throws: AttestError.self, "\(why)") { try Checkpoint(parsing: text) }
        }
        #expect(throws: AttestError.self) { try Checkpoint(origin: "o", size: 1, rootHash: [1, 2]) }
        #expect(throws: AttestError.self) { try Checkpoint(origin: "a\nb", size: 1, rootHash: Self.root) }
    }
}
