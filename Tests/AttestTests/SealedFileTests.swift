import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// Sealed files: round trips at the chunk edges, every way of cutting or shuffling the body, every header
/// byte, the wrong key, and the gate: nothing is written unless all of it holds.
@Suite("Sealed files")
struct SealedFileTests {
    static let chunk = SealedHeader.defaultChunkSize

    let fx: TrustFixture
    let device: PrivateKey
    let dir: TemporaryDirectory
    let manifest: NamedInput

    init() throws {
        fx = try TrustFixture()
        device = try PrivateKey.generate(.x25519)
        dir = try TemporaryDirectory()
        manifest = try fx.signedManifest()
    }

    func setup() throws -> VerificationSetup {
        try fx.setup(device: fx.device, job: JobRequest(workload: "industrial-inspection"), state: dir.path("state"))
    }

    func sealed(_ size: Int, name: String = "in") throws -> (plain: Data, path: String) {
        let plain = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 9) })
        let input = dir.path(name)
        try plain.write(to: URL(fileURLWithPath: input))
        _ = try Sealing.seal(inputPath: input, outputPath: input + ".sealed", recipients: [device.publicKey], sealer: fx.delegationKeys[0], manifest: manifest)
        return (plain, input + ".sealed")
    }

    func unseal(_ path: String, key: PrivateKey? = nil, manifest: NamedInput? = nil, setup: VerificationSetup? = nil) throws -> (UnsealOutcome?, AttestError?, Data?) {
        let out = dir.path("out-\(UUID().uuidString)")
        do {
            let outcome = try Sealing.unseal(inputPath: path, outputPath: out, key: key ?? device, manifest: manifest ?? self.manifest,
                                             setup: setup ?? self.setup())
            return (outcome, nil, FileManager.default.contents(atPath: out))
        } catch let error as AttestError {
            #expect(!FileManager.default.fileExists(atPath: out), "no output after a failure")
            return (nil, error, nil)
        }
    }

    func expectNoTemporaryFiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.url.path)
        #expect(!names.contains { $0.hasPrefix(".attest-tmp") }, "\(names)")
    }

    @Test("round trips: empty, one byte, a chunk minus one, a chunk, a chunk plus one, many chunks",
          arguments: [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 5])
    func roundTrip(size: Int) throws {
        let (plain, path) = try sealed(size)
        let (outcome, error, opened) = try unseal(path)
        #expect(error == nil, "\(String(describing: error))")
        if case .opened(let summary, _)? = outcome { #expect(summary.bytes == UInt64(size)) } else { Issue.record("not opened") }
        #expect(opened == plain)
        // Version 2: the sealer's key id (32) after the manifest digest, and its Ed25519 signature (2 + 64) last.
        let expected = 8 + 6 + 4 + 32 + 32 + 1 + 112 + 2 + 2 + 1 + 8 + 2 + 64 + max(1, (size + Self.chunk - 1) / Self.chunk) * 16 + size
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == expected)
    }

    /// The body's chunk boundaries in a sealed file of `size` plaintext bytes.
    func layout(_ path: String) throws -> (data: Data, header: Int, chunks: [Range<Int>]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let header = 8 + 6 + 4 + 32 + 1 + 112 + 2 + 2 + 1 + 8  // one recipient, the name "in", a size
        var chunks: [Range<Int>] = []
        var at = header
        while at < data.count {
            let end = min(data.count, at + Self.chunk + 16)
            chunks.append(at..<end)
            at = end
        }
        return (data, header, chunks)
    }

    @Test("truncation at every chunk boundary, and mid-chunk, fails with no output")
    func truncation() throws {
        let (_, path) = try sealed(4 * Self.chunk + 100)
        let (data, header, chunks) = try layout(path)
        #expect(chunks.count == 5)
        var cuts = chunks.map(\.lowerBound) + [header - 1, chunks[2].lowerBound + 100, data.count - 1]
        cuts.append(chunks[4].lowerBound + 10)
        for cut in cuts {
            let cutPath = dir.path("cut-\(cut)")
            try data.prefix(cut).write(to: URL(fileURLWithPath: cutPath))
            let (outcome, error, _) = try unseal(cutPath)
            #expect(outcome == nil && error != nil, "cut at \(cut) was accepted")
        }
        try expectNoTemporaryFiles()
    }

    @Test("chunks reordered, duplicated or dropped fail")
    func shuffled() throws {
        let (_, path) = try sealed(3 * Self.chunk + 7)
        let (data, header, chunks) = try layout(path)
        let head = data.prefix(header)
        let variants: [String: [Int]] = ["swap": [1, 0, 2, 3], "dup": [0, 0, 1, 2, 3], "drop": [0, 2, 3], "dup-last": [0, 1, 2, 3, 3], "no-last": [0, 1, 2]]
        for (label, order) in variants {
            var body = Data(head)
            for i in order { body.append(data[chunks[i]]) }
            let p = dir.path("v-\(label)")
            try body.write(to: URL(fileURLWithPath: p))
            let (outcome, error, _) = try unseal(p)
            #expect(outcome == nil && error != nil, "\(label) was accepted")
        }
    }

    @Test("every header byte flipped fails")
    func headerFlips() throws {
        let (_, path) = try sealed(100)
        let (data, header, _) = try layout(path)
        for i in 0..<header {
            var copy = data
            copy[i] ^= 0x01
            let p = dir.path("flip")
            try copy.write(to: URL(fileURLWithPath: p))
            // Refused either way: an error (malformed, tag) or a denial (the sealer's signature no longer verifies).
            let (outcome, _, _) = try unseal(p)
            if case .opened? = outcome { Issue.record("header byte \(i) flipped was accepted") }
        }
        try expectNoTemporaryFiles()
    }

    @Test("the wrong recipient key, and a second recipient's key")
    func recipients() throws {
        let other = try PrivateKey.generate(.x25519)
        let (_, path) = try sealed(1000)
        let (outcome, error, _) = try unseal(path, key: other)
        #expect(outcome == nil && error?.description.contains("not sealed to this device") == true, "\(String(describing: error))")
        let input = dir.path("two")
        try Data("two readers".utf8).write(to: URL(fileURLWithPath: input))
        _ = try Sealing.seal(inputPath: input, outputPath: input + ".sealed", recipients: [device.publicKey, other.publicKey], sealer: fx.delegationKeys[0], manifest: manifest)
        let (_, e1, d1) = try unseal(input + ".sealed")
        let (_, e2, d2) = try unseal(input + ".sealed", key: other)
        #expect(e1 == nil && e2 == nil && d1 == d2 && d1 == Data("two readers".utf8))
    }

    @Test("the gate: a manifest for another device, an expired one, another manifest, a workload not permitted")
    func gate() throws {
        let (_, path) = try sealed(5000)
        var other = fx.device
        other.chips = [.init(vendor: "nvidia", model: "H200", serial: "9999999999")]
        let elsewhere = try fx.setup(device: other, job: JobRequest(workload: "industrial-inspection"), state: dir.path("state2"))
        var denied = try unseal(path, setup: elsewhere)
        if case .denied(let result, _)? = denied.0 { #expect(result.failed == [.deviceChip]) } else { Issue.record("not denied") }
        #expect(denied.2 == nil)

        let expiredSetup = try fx.setup(device: fx.device, job: JobRequest(workload: "industrial-inspection"), state: dir.path("state3"),
                                        at: TrustFixture.now.adding(days: 60))
        denied = try unseal(path, setup: expiredSetup)
        if case .denied(let result, _)? = denied.0 { #expect(result.failed.contains(.manifestValidity)) } else { Issue.record("not denied") }

        var m2 = fx.manifest(sequence: 9)
        m2.id = "11111111-1111-4111-8111-111111111111"
        let (_, error, _) = try unseal(path, manifest: try fx.signedManifest(m2))
        #expect(error?.description.contains("sealed under manifest") == true)

        let wrongJob = try fx.setup(device: fx.device, job: JobRequest(workload: "frontier-training"), state: dir.path("state4"))
        denied = try unseal(path, setup: wrongJob)
        if case .denied(let result, _)? = denied.0 { #expect(result.failed == [.jobWorkload]) } else { Issue.record("not denied") }
        try expectNoTemporaryFiles()
    }

    @Test("without a state directory nothing is skipped: the rollback check denies")
    func noState() throws {
        let (_, path) = try sealed(10)
        let stateless = try fx.setup(device: fx.device, job: JobRequest(workload: "industrial-inspection"))
        let (outcome, _, data) = try unseal(path, setup: stateless)
        if case .denied(let result, _)? = outcome { #expect(result.check(.manifestRollback)?.status == .skip) } else { Issue.record("not denied") }
        #expect(data == nil)
    }
}
