import AttestTestSupport
import Foundation
import Testing

/// Issue 10, items 12, 13, 15 and 16: boot decides chip by chip and the same every time, run follows the last
/// boot, the state directory is private, and one bad file never stops the device.
@Suite("Hardening: boot and the state directory")
struct HardeningBootCLITests {
    typealias Device = DeviceGateTests.Device

    static func run(_ device: Device, _ extra: [String] = [], environment: [String: String] = [:]) throws -> CLI.Outcome {
        try CLI.run(["run", "--state-dir", device.state] + extra + ["--workload", "industrial-inspection", "--", "/bin/echo", "ran"],
                    environment: environment)
    }

    @Test("10.12 two identical boots decide the same: a newer manifest for one chip supersedes, it does not deny the others")
    func bootIsRepeatable() throws {
        // m.json: all 8 chips at sequence 3; newer.json: chip 0 alone at sequence 4.
        let device = try Device()
        try device.addManifest(chips: [DeviceGateTests.serials[0]], sequence: 4, name: "newer.json")
        var outputs: [String] = []
        for _ in 0..<3 {
            let boot = try CLI.run(["boot", "--state-dir", device.state])
            #expect(boot.status == 0, "\(boot)")
            outputs.append(boot.stdout)
        }
        #expect(outputs.allSatisfy { $0 == outputs[0] }, "\(outputs)")
        #expect(outputs[0].hasPrefix("BOOT OK  8 of 8 chips covered"))
        let chip0 = try #require(outputs[0].split(separator: "\n").first { $0.contains(DeviceGateTests.serials[0]) })
        #expect(chip0.contains("newer.json, sequence 4") && chip0.contains("supersedes") && chip0.contains("m.json (sequence 3)"), "\(chip0)")
        let chip1 = try #require(outputs[0].split(separator: "\n").first { $0.contains(DeviceGateTests.serials[1]) })
        #expect(chip1.contains("ALLOW") && chip1.contains("m.json, sequence 3"), "\(chip1)")
        // A job on chip 1 runs under m.json, a job on chip 0 under newer.json; all 8 at once have no one manifest.
        #expect(try Self.run(device, environment: ["CUDA_VISIBLE_DEVICES": "1"]).status == 0)
        #expect(try Self.run(device, environment: ["CUDA_VISIBLE_DEVICES": "0"]).status == 0)
        #expect(try Self.run(device).status == 1)
    }

    @Test("10.13 run refuses before any boot and while the last boot denied the chips in use, unless --no-boot-check")
    func runFollowsTheLastBoot() throws {
        let device = try Device(chips: Array(DeviceGateTests.serials.prefix(4)))
        let never = try Self.run(device, environment: ["CUDA_VISIBLE_DEVICES": "0"])
        #expect(never.status == 1 && never.stderr.contains("device.boot") && never.stderr.contains("not booted"), "\(never)")
        let boot = try CLI.run(["boot", "--state-dir", device.state])
        #expect(boot.status == 1, "chips 4-7 are not covered: \(boot)")
        let covered = try Self.run(device, environment: ["CUDA_VISIBLE_DEVICES": "0"])
        #expect(covered.status == 0 && covered.stdout == "ran\n", "the last boot allowed chip 0: \(covered)")
        // Now cover chip 5 with a manifest but do not boot: the last boot's denial stands.
        try device.addManifest(chips: [DeviceGateTests.serials[5]], sequence: 3, name: "five.json")
        let denied = try Self.run(device, environment: ["CUDA_VISIBLE_DEVICES": "5"])
        #expect(denied.status == 1 && denied.stderr.contains("1652922001235") && denied.stderr.contains("last boot"), "\(denied)")
        let forced = try Self.run(device, ["--no-boot-check"], environment: ["CUDA_VISIBLE_DEVICES": "5"])
        #expect(forced.status == 0, "\(forced)")
        let receipts = try device.receipts().filter { $0["event"] as? String == "run" }
        #expect(receipts.first?["failed"] as? [String] == ["device.boot"], "\(receipts)")
    }

    @Test("10.15 a state directory, config or device key that others can write is refused; an unreadable config is exit 3")
    func privateState() throws {
        let device = try Device()
        #expect(chmod(device.state, 0o777) == 0)
        let open = try CLI.run(["boot", "--state-dir", device.state])
        #expect(open.status == 3 && open.stderr.contains("other users"), "\(open)")
        #expect(chmod(device.state, 0o700) == 0)
        #expect(chmod(device.state + "/device.key", 0o666) == 0)
        let key = try CLI.run(["boot", "--state-dir", device.state])
        #expect(key.status == 3 && key.stderr.contains("device.key"), "\(key)")
        #expect(chmod(device.state + "/device.key", 0o600) == 0)
        #expect(chmod(device.state + "/config.json", 0o622) == 0)
        let config = try CLI.run(["boot", "--state-dir", device.state])
        #expect(config.status == 3 && config.stderr.contains("config.json"), "\(config)")
        #expect(chmod(device.state + "/config.json", 0o600) == 0)
        #expect(try CLI.run(["boot", "--state-dir", device.state]).status == 0)
        // Provisioning into a world-writable directory is refused.
        let shared = device.dir.path("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        #expect(chmod(shared, 0o777) == 0)
        let made = try CLI.run(["device", "init", "--region", "MX", "--root", device.dir.path("demo/root.json"), "--state-dir", shared,
                                "--probe-root", DeviceGateTests.gpu8, "--nvidia-smi", DeviceGateTests.smi])
        #expect(made.status == 3 && !FileManager.default.fileExists(atPath: shared + "/device.key"), "\(made)")
    }

    @Test("10.16 a FIFO, a directory, a dangling link and an oversized file among the manifests are reported, and boot goes on")
    func badFilesDoNotStopBoot() throws {
        let device = try Device()
        let dir = device.manifests
        #expect(mkfifo(dir + "/fifo.json", 0o600) == 0)
        try FileManager.default.createDirectory(atPath: dir + "/folder.json", withIntermediateDirectories: true)
        #expect(symlink(dir + "/nowhere", dir + "/dangling.json") == 0)
        try Data(repeating: 0x20, count: 3 << 20).write(to: URL(fileURLWithPath: dir + "/huge.json"))
        let boot = try CLI.run(["boot", "--state-dir", device.state, "--json"])
        #expect(boot.status == 0, "the good manifest still covers every chip: \(boot)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(boot.stdout.utf8)) as? [String: Any])
        let results = try #require(report["manifests"] as? [[String: Any]])
        for (name, words) in [("fifo.json", "FIFO"), ("folder.json", "directory"), ("dangling.json", "link to nothing"), ("huge.json", "bytes")] {
            let result = try #require(results.first { ($0["file"] as? String)?.hasSuffix(name) == true }, "\(name)")
            let checks = try #require(result["checks"] as? [[String: Any]])
            let format = try #require(checks.first { $0["id"] as? String == "envelope.format" })
            #expect(format["status"] as? String == "fail" && (format["detail"] as? String)?.contains(words) == true, "\(name): \(format)")
        }
    }
}
