import ArgumentParser
import Attest
import AttestCrypto

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure envelope verification next to bare OpenSSL verification, in one run.",
        discussion: "Like 'openssl speed': each key type is timed both ways, interleaved, and the ratio printed.")

    @Option(help: "Seconds to spend per key type and side.")
    var seconds: Double = 1.0

    @Option(name: .customLong("payload-size"), help: "Payload bytes.")
    var payloadSize: Int = 1024

    @Option(name: .customLong("type"), help: "Key types to measure (repeatable). Default: all signing types.")
    var types: [String] = []

    @Option(help: "Instead: verify this many manifests against one root and delegation, with 1 and 2 threads, next to bare OpenSSL on one core.")
    var batch: Int?

    func validate() throws {
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
        if let batch, !(1...1_000_000).contains(batch) { throw ValidationError("--batch must be 1 to 1000000") }
        guard payloadSize >= 0, payloadSize <= 1 << 20 else { throw ValidationError("--payload-size must be 0 to 1048576") }
        for t in types where KeyGenerationType(rawValue: t) == nil || t == "x25519" {
            throw ValidationError("unknown signing key type '\(t)'")
        }
    }

    func run() throws {
        let chosen = types.isEmpty
            ? [KeyGenerationType.ed25519, .ecdsaP256, .ecdsaP384, .rsa3072]
            : types.compactMap(KeyGenerationType.init(rawValue:))
        if let batch {
            let chosen = types.isEmpty ? [KeyGenerationType.ed25519, .ecdsaP256] : chosen
            Terminal.write("batch verification of \(batch) manifests (full checks) against one root and delegation\n")
            Terminal.write("type          openssl 1 core/s   attest 1 job/s   ratio   attest 2 jobs/s   vs 1 job\n")
            for type in chosen {
                let r = try BatchBenchmark.run(type, count: batch)
                Terminal.write("\(pad(type.rawValue, 12))  \(pad(format0(r.baselinePerSecond), 17, left: true))  \(pad(format0(r.oneJobPerSecond), 15, left: true))  \(pad(format2(r.oneJobPerSecond / r.baselinePerSecond * 100) + "%", 6, left: true))  \(pad(format0(r.twoJobsPerSecond), 16, left: true))   \(format2(r.twoJobsPerSecond / r.oneJobPerSecond))x\n")
            }
            return
        }
        Terminal.write("envelope verification, \(payloadSize)-byte payload, one core, \(seconds) s per side\n")
        Terminal.write("type          attest verify/s   openssl verify/s   ratio\n")
        for type in chosen {
            let result = try VerificationBenchmark.run(type, payloadSize: payloadSize, seconds: seconds)
            let line = "\(pad(type.rawValue, 12))  \(pad(String(format0(result.attestPerSecond)), 16, left: true))  \(pad(String(format0(result.baselinePerSecond)), 17, left: true))   \(String(format2(result.ratio * 100)))%\n"
            Terminal.write(line)
        }
    }

    private func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return left ? fill + s : s + fill
    }
    private func format0(_ v: Double) -> String { String(Int(v.rounded())) }
    private func format2(_ v: Double) -> String { String(Double(Int((v * 10).rounded())) / 10) }
}
