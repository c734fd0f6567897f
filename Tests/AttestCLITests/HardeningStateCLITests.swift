import AttestTestSupport
import Foundation
import Testing

/// Issue 10, item 11 through the binary: `verify` leaves the device state alone unless `--record` is
/// given; `boot` and `run` record, and say on standard error (and in `--json`) what they advanced.
@Suite("Hardening: device state through the CLI")
struct HardeningStateCLITests {
    typealias Device = DeviceGateTests.Device

    func stateFile(_ device: Device) -> Data? {
        FileManager.default.contents(atPath: device.state + "/state.json")
    }

    func verifyArgs(_ device: Device, _ manifest: String = "m.json") -> [String] {
        ["verify", "--root", device.dir.path("demo/root.json"), "--delegation", device.dir.path("demo/delegation-acme.json"),
         device.dir.path("state/manifests/\(manifest)")]
    }

    @Test("10.11 verify with ATTEST_STATE_DIR exported reads the state and writes nothing")
    func verifyReadOnly() throws {
        let device = try Device(sequence: 5)
        let before = stateFile(device)
        let verified = try CLI.run(verifyArgs(device), environment: ["ATTEST_STATE_DIR": device.state])
        #expect(verified.status == 0, "\(verified)")
        #expect(stateFile(device) == before, "verify changed state.json")
        #expect(!verified.stderr.contains("recorded"), "\(verified)")
        // The state still takes part: a rollback it holds is enforced read-only.
        #expect(try CLI.run(verifyArgs(device) + ["--record"], environment: ["ATTEST_STATE_DIR": device.state]).status == 0)
        try device.addManifest(chips: DeviceGateTests.serials, sequence: 4, name: "m4.json")
        let older = try CLI.run(verifyArgs(device, "m4.json"), environment: ["ATTEST_STATE_DIR": device.state])
        #expect(older.status == 1 && older.stdout.contains("manifest.rollback"), "\(older)")
    }

    @Test("10.11 verify --record writes the state and prints each change; --json carries them")
    func verifyRecord() throws {
        let device = try Device(sequence: 5)
        let recorded = try CLI.run(verifyArgs(device) + ["--record", "--state-dir", device.state])
        #expect(recorded.status == 0, "\(recorded)")
        let lines = recorded.stderr.split(separator: "\n")
        #expect(lines.contains { $0.contains("recorded") && $0.contains("chip \(DeviceGateTests.serials[0]) rollback") && $0.hasSuffix("5") }, "\(recorded)")
        #expect(lines.contains { $0.contains("delegation acme-integration") }, "\(recorded)")
        #expect(lines.contains { $0.contains("clock floor") }, "\(recorded)")
        #expect(stateFile(device) != nil)

        try device.addManifest(chips: DeviceGateTests.serials, sequence: 6, name: "m6.json")
        let json = try CLI.run(verifyArgs(device, "m6.json") + ["--record", "--state-dir", device.state, "--json"])
        #expect(json.status == 0, "\(json)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let changes = try #require(object["recorded"] as? [[String: Any]], "\(json.stdout)")
        #expect(changes.contains { $0["kind"] as? String == "rollback" && $0["from"] as? String == "5" && $0["to"] as? String == "6" }, "\(changes)")

        let withAt = try CLI.run(verifyArgs(device) + ["--record", "--state-dir", device.state, "--at", "2027-01-01T00:00:00Z"])
        #expect(withAt.status == 2, "\(withAt)")
        let noState = try CLI.run(verifyArgs(device) + ["--record"])
        #expect(noState.status == 2 && noState.stderr.contains("--record"), "\(noState)")
    }

    @Test("10.11 boot and run print what they recorded, one line each; boot --json carries it")
    func bootAndRunPrint() throws {
        let device = try Device()
        let run = try CLI.run(["run", "--state-dir", device.state, "--no-boot-check", "--workload", "industrial-inspection", "--", "/bin/echo", "ran"])
        #expect(run.status == 0 && run.stdout == "ran\n", "\(run)")
        #expect(run.stderr.split(separator: "\n").contains { $0.contains("recorded") && $0.contains("rollback") }, "\(run)")

        try device.addManifest(chips: DeviceGateTests.serials, sequence: 4, name: "m4.json")
        let boot = try CLI.run(["boot", "--state-dir", device.state, "--json"])
        #expect(boot.status == 0, "\(boot)")
        #expect(boot.stderr.split(separator: "\n").filter { $0.contains("rollback 3 -> 4") }.count == 8, "\(boot)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(boot.stdout.utf8)) as? [String: Any])
        let changes = try #require(object["recorded"] as? [[String: Any]], "\(boot.stdout)")
        #expect(changes.filter { $0["kind"] as? String == "rollback" }.count == 8, "\(changes)")

        // Nothing new to learn: nothing printed.
        let again = try CLI.run(["boot", "--state-dir", device.state])
        #expect(again.status == 0 && !again.stderr.contains("rollback"), "\(again)")
    }
}
