import AttestTestSupport
import Foundation
import Testing

/// `attest seal` and `attest unseal` through the binary, on a provisioned fake device.
@Suite("seal and unseal commands")
struct SealCLITests {
    @Test("seal from standard input, unseal to standard output, on the provisioned device")
    func streams() throws {
        let device = try DeviceGateTests.Device()
        let plain = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let sealed = try CLI.run(["seal", "--to", device.dir.path("state/device-x25519.pub"), "--from", HardeningSealTests.acmeKey, "--manifest", device.dir.path("state/manifests/m.json"),
                                  "-", "-o", device.dir.path("model.sealed")], stdin: plain)
        #expect(sealed.status == 0, "\(sealed)")
        let opened = try CLI.run(["unseal", "--state-dir", device.state, "--manifest", device.dir.path("state/manifests/m.json"),
                                  "--workload", "industrial-inspection", device.dir.path("model.sealed"), "-o", "-"])
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(Data(opened.stdout.utf8).count > 0)
        let toFile = try CLI.run(["unseal", "--state-dir", device.state, "--manifest", device.dir.path("state/manifests/m.json"),
                                  "--workload", "industrial-inspection", device.dir.path("model.sealed"), "-o", device.dir.path("model.out")])
        #expect(toFile.status == 0, "\(toFile)")
        #expect(try device.dir.read("model.out") == plain)
    }

    @Test("a denied gate or a cut file exits 1 with the reason and writes nothing")
    func refusals() throws {
        let device = try DeviceGateTests.Device()
        let input = try device.dir.write("data.bin", String(repeating: "x", count: 150_000))
        let sealed = try CLI.run(["seal", "--to", device.dir.path("state/device-x25519.pub"), "--from", HardeningSealTests.acmeKey, "--manifest", device.dir.path("state/manifests/m.json"),
                                  input, "-o", device.dir.path("data.sealed")])
        #expect(sealed.status == 0, "\(sealed)")
        let denied = try CLI.run(["unseal", "--state-dir", device.state, "--manifest", device.dir.path("state/manifests/m.json"),
                                  "--workload", "frontier-training", device.dir.path("data.sealed"), "-o", device.dir.path("out1")])
        #expect(denied.status == 1 && denied.stderr.contains("job.workload"), "\(denied)")
        #expect(!FileManager.default.fileExists(atPath: device.dir.path("out1")))
        let bytes = try device.dir.read("data.sealed")
        try bytes.prefix(bytes.count - 5).write(to: URL(fileURLWithPath: device.dir.path("cut.sealed")))
        let cut = try CLI.run(["unseal", "--state-dir", device.state, "--manifest", device.dir.path("state/manifests/m.json"),
                               "--workload", "industrial-inspection", device.dir.path("cut.sealed"), "-o", device.dir.path("out2")])
        #expect(cut.status == 1 && cut.stderr.contains("cut.sealed"), "\(cut)")
        #expect(!FileManager.default.fileExists(atPath: device.dir.path("out2")))
        let names = try FileManager.default.contentsOfDirectory(atPath: device.dir.url.path)
        #expect(!names.contains { $0.hasPrefix(".attest-tmp") })
    }
}
