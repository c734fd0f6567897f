import AttestTestSupport
import Foundation
import Testing

/// The device gate end to end: a provisioned device on the fake 8-GPU host, its manifests, boot, run and
/// the receipt log, through the built binary.
@Suite("Device gate")
struct DeviceGateTests {
    static let fixtures = Vectors.repositoryRoot.appendingPathComponent("fixtures").path
    static let gpu8 = fixtures + "/hosts/gpu8"
    static let smi = gpu8 + "/bin/nvidia-smi"
    static let serials = (0..<8).map { "165292200123\($0)" }
    static let pinned = "sha256:" + String(repeating: "ab", count: 32)

    /// A device provisioned in MX-NLE with the demo root, acme's delegation, and one manifest for `chips`.
    struct Device {
        let dir: TemporaryDirectory
        var state: String { dir.path("state") }
        var manifests: String { dir.path("state/manifests") }

        init(chips: [String] = DeviceGateTests.serials, sequence: Int = 3) throws {
            dir = try TemporaryDirectory()
            let demo = try CLI.run(["demo", "--keys", Vectors.repositoryRoot.appendingPathComponent("keys").path, "--work-dir", dir.path("demo")])
            #expect(demo.status == 0, "\(demo)")
            let made = try CLI.run(["device", "init", "--region", "MX-NLE", "--root", dir.path("demo/root.json"), "--state-dir", dir.path("state"),
                                    "--probe-root", DeviceGateTests.gpu8, "--nvidia-smi", DeviceGateTests.smi])
            #expect(made.status == 0, "\(made)")
            try FileManager.default.copyItem(atPath: dir.path("demo/delegation-acme.json"), toPath: dir.path("state/manifests/delegation-acme.json"))
            try addManifest(chips: chips, sequence: sequence, name: "m.json")
        }

        func addManifest(chips: [String], sequence: Int, name: String, region: String = "MX") throws {
            var args = ["manifest", "new", "--issuer", "acme-integration", "--region", region, "--days", "30", "--sequence", String(sequence),
                        "--workload", "industrial-inspection", "--workload", "public-safety=\(DeviceGateTests.pinned)", "-o", dir.path("draft-\(name)")]
            for serial in chips { args += ["--chip", "nvidia:H200:\(serial)"] }
            let draft = try CLI.run(args)
            #expect(draft.status == 0, "\(draft)")
            let signed = try CLI.run(["sign", "--key", Vectors.repositoryRoot.appendingPathComponent("keys/demo-acme-integrator.key").path,
                                      "--type", "manifest", dir.path("draft-\(name)"), "-o", dir.path("state/manifests/\(name)")])
            #expect(signed.status == 0, "\(signed)")
        }

        /// The device's receipts, read back from its audit log as an auditor would.
        func receipts() throws -> [[String: Any]] {
            let export = try CLI.run(["audit", "export", dir.path("state/receipts.sqlite"), "--format", "jsonl"])
            #expect(export.status == 0, "\(export)")
            let text = export.stdout
            return try text.split(separator: "\n").map { line in
                let envelope = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let payload = try #require(Data(base64Encoded: envelope["payload"] as? String ?? ""))
                return try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
            }
        }
    }

    @Test("boot covers all 8 GPUs of the fake host and signs a receipt")
    func bootAllowed() throws {
        let device = try Device()
        let boot = try CLI.run(["boot", "--state-dir", device.state])
        #expect(boot.status == 0, "\(boot)")
        #expect(boot.stdout.contains("8 of 8 chips covered"))
        let receipts = try device.receipts()
        #expect(receipts.count == 1)
        #expect(receipts.first?["event"] as? String == "boot" && receipts.first?["decision"] as? String == "allow")
    }

    @Test("boot with a chip missing from every manifest denies and names the chip")
    func bootMissingChip() throws {
        let device = try Device(chips: Array(DeviceGateTests.serials.dropLast()))
        let boot = try CLI.run(["boot", "--state-dir", device.state])
        #expect(boot.status == 1, "\(boot)")
        #expect(boot.stdout.contains("7 of 8 chips covered"))
        let line = boot.stdout.split(separator: "\n").first { $0.contains("1652922001237") }
        #expect(line?.contains("DENY") == true && line?.contains("no manifest names this chip") == true, "\(boot.stdout)")
        let denial = try device.receipts().first { $0["decision"] as? String == "deny" }
        #expect(denial?["chips"] as? [String] == ["1652922001237"])
    }

    @Test("run with CUDA_VISIBLE_DEVICES naming a GPU the manifest does not cover denies; covered GPUs run")
    func runSelection() throws {
        let device = try Device(chips: Array(DeviceGateTests.serials.prefix(4)))
        let covered = try CLI.run(["run", "--state-dir", device.state, "--no-boot-check", "--workload", "industrial-inspection", "--", "/bin/echo", "ran"],
                                  environment: ["CUDA_VISIBLE_DEVICES": "0,GPU-3f1c2a10-0000-4000-8000-000000000003"])
        #expect(covered.status == 0 && covered.stdout == "ran\n", "\(covered)")
        let uncovered = try CLI.run(["run", "--state-dir", device.state, "--no-boot-check", "--workload", "industrial-inspection", "--", "/bin/echo", "ran"],
                                    environment: ["CUDA_VISIBLE_DEVICES": "3,5"])
        #expect(uncovered.status == 1, "\(uncovered)")
        #expect(uncovered.stdout.isEmpty)
        #expect(uncovered.stderr.contains("1652922001235"), "\(uncovered.stderr)")
        let all = try CLI.run(["run", "--state-dir", device.state, "--no-boot-check", "--workload", "industrial-inspection", "--", "/bin/echo", "ran"])
        #expect(all.status == 1, "unset CUDA_VISIBLE_DEVICES means all 8 GPUs: \(all)")
        let receipts = try device.receipts()
        #expect(receipts.map { $0["decision"] as? String } == ["allow", "deny", "deny"])
        #expect(receipts[0]["chips"] as? [String] == ["1652922001230", "1652922001233"])
    }

    @Test("run queues its receipt beside the log; audit verify names a queue it cannot take in, boot takes it in")
    func receiptQueue() throws {
        let device = try Device()
        #expect(try CLI.run(["boot", "--state-dir", device.state]).status == 0)
        for _ in 0..<3 {
            let run = try CLI.run(["run", "--state-dir", device.state, "--no-boot-check", "--workload", "industrial-inspection", "--", "/bin/true"])
            #expect(run.status == 0, "\(run)")
        }
        let log = device.dir.path("state/receipts.sqlite")
        let queued = try String(contentsOfFile: log + ".pending", encoding: .utf8).split(separator: "\n")
        #expect(queued.count == 4 && queued[0].hasPrefix("attest-receipt-queue "), "a header and three receipts")
        // Without the log's key (an auditor's copy), the queue stays where it is and verify says so.
        try FileManager.default.moveItem(atPath: log + ".key", toPath: device.dir.path("log.key"))
        let copy = try CLI.run(["audit", "verify", log])
        #expect(copy.status == 0 && copy.stdout.contains(": 1 entry,"), "only boot's receipt: \(copy)")
        #expect(copy.stdout.contains("receipts.sqlite.pending holds receipts not yet in the log"), "log.queue says so: \(copy)")
        try FileManager.default.moveItem(atPath: device.dir.path("log.key"), toPath: log + ".key")
        #expect(try CLI.run(["boot", "--state-dir", device.state]).status == 0)
        let all = try CLI.run(["audit", "verify", log])
        #expect(all.status == 0 && all.stdout.contains(": 5 entries,") && all.stderr.isEmpty, "two boots and three runs: \(all)")
        #expect(try String(contentsOfFile: log + ".pending", encoding: .utf8).isEmpty)
    }

    @Test("a model whose digest is not pinned is denied; the pinned one runs")
    func modelPinning() throws {
        let device = try Device()
        let model = try device.dir.write("model.bin", "weights")
        let denied = try CLI.run(["run", "--state-dir", device.state, "--no-boot-check", "--workload", "public-safety", "--model", model, "--", "/bin/true"])
        #expect(denied.status == 1 && denied.stderr.contains("job.model"), "\(denied)")
        let receipt = try device.receipts().last
        #expect(receipt?["failed"] as? [String] == ["job.model"])
        #expect((receipt?["model"] as? String)?.hasPrefix("sha256:") == true)
    }

    @Test("exec passes arguments, stdin, stdout and the exit status through exactly")
    func execPassThrough() throws {
        let device = try Device()
        let script = try device.dir.write("job.sh", """
            #!/bin/sh
            printf '%s|' "$@"
            echo
            cat
            echo "pid $$" >&2
            exit 42
            """)
        #expect(chmod(script, 0o755) == 0)
        let out = try CLI.run(["run", "--state-dir", device.state, "--no-boot-check", "--workload", "industrial-inspection", "--", script, "a b", "", "--flag", "ü"],
                              stdin: Data("from stdin\n".utf8))
        #expect(out.status == 42, "\(out)")
        #expect(out.stdout == "a b||--flag|ü|\nfrom stdin\n")
        // Before the exec, run prints what it recorded in the device state (issue 10, item 11).
        #expect(out.stderr.split(separator: "\n").first { !$0.hasPrefix("attest: recorded ") }?.hasPrefix("pid ") == true, "\(out.stderr)")
    }

    @Test("16 concurrent runs lose no receipt and corrupt no state")
    func concurrentRuns() throws {
        let device = try Device()
        let group = DispatchGroup()
        final class Box: @unchecked Sendable { var statuses: [Int32] = []; let lock = NSLock() }
        let box = Box()
        let state = device.state
        for _ in 0..<16 {
            DispatchQueue.global().async(group: group) {
                let status = (try? CLI.run(["run", "--state-dir", state, "--no-boot-check", "--workload", "industrial-inspection", "--", "/bin/true"]))?.status ?? -1
                box.lock.lock(); box.statuses.append(status); box.lock.unlock()
            }
        }
        group.wait()
        #expect(box.statuses.count == 16 && box.statuses.allSatisfy { $0 == 0 }, "\(box.statuses)")
        let receipts = try device.receipts()
        #expect(receipts.count == 16)
        #expect(receipts.allSatisfy { $0["decision"] as? String == "allow" })
        let saved = try #require(try JSONSerialization.jsonObject(with: device.dir.read("state/state.json")) as? [String: Any])
        #expect((saved["rollback"] as? [String: Int])?.count == 8)
    }

    @Test("SIGKILL while runs write leaves a readable log and state")
    func killedWhileWriting() throws {
        let device = try Device()
        for round in 0..<12 {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["run", "--state-dir", device.state, "--no-boot-check", "--workload", "industrial-inspection", "--", "/bin/true"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(500 + round * 700))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // Whatever was cut off, the next run works, and every line of the log is a whole receipt.
        let after = try CLI.run(["run", "--state-dir", device.state, "--no-boot-check", "--workload", "industrial-inspection", "--", "/bin/true"])
        #expect(after.status == 0, "\(after)")
        let receipts = try device.receipts()
        #expect(receipts.last?["decision"] as? String == "allow")
        #expect(try JSONSerialization.jsonObject(with: device.dir.read("state/state.json")) is [String: Any])
        let boot = try CLI.run(["boot", "--state-dir", device.state])
        #expect(boot.status == 0, "\(boot)")
    }

    @Test("device facts on the fake trees: 8 GPUs, a Jetson module, a DMI-only appliance")
    func facts() throws {
        let gpu = try CLI.run(["device", "facts", "--json", "--probe-root", DeviceGateTests.gpu8, "--nvidia-smi", DeviceGateTests.smi])
        let gpuJSON = try #require(try JSONSerialization.jsonObject(with: Data(gpu.stdout.utf8)) as? [String: Any])
        #expect((gpuJSON["chips"] as? [[String: Any]])?.compactMap { $0["serial"] as? String } == DeviceGateTests.serials)
        #expect((gpuJSON["host"] as? [String: Any])?["dmiProductSerial"] as? String == "HGX-2291A0031")
        let jetson = try CLI.run(["device", "facts", "--json", "--probe-root", DeviceGateTests.fixtures + "/hosts/jetson", "--nvidia-smi", "none"])
        let jetsonJSON = try #require(try JSONSerialization.jsonObject(with: Data(jetson.stdout.utf8)) as? [String: Any])
        let chip = try #require((jetsonJSON["chips"] as? [[String: Any]])?.first)
        #expect(chip["serial"] as? String == "1424221054321" && chip["vendor"] as? String == "nvidia" && chip["model"] as? String == "Jetson AGX Orin Developer Kit")
        let dmi = try CLI.run(["device", "facts", "--probe-root", DeviceGateTests.fixtures + "/hosts/dmi-only", "--nvidia-smi", "none"])
        #expect(dmi.stdout.contains("EDGE-7731-0042") && dmi.stdout.contains("advantech"), "\(dmi)")
    }

    @Test("a failing probe is an environment error (exit 3); an unprovisioned device is bad usage (exit 2)")
    func probeFailure() throws {
        let dir = try TemporaryDirectory()
        let broken = try dir.write("nvidia-smi", "#!/bin/sh\necho 'garbage line'\n")
        #expect(chmod(broken, 0o755) == 0)
        let out = try CLI.run(["device", "facts", "--probe-root", dir.url.path, "--nvidia-smi", broken])
        #expect(out.status == 3 && out.stderr.contains("device probe failed"), "\(out)")
        let unprovisioned = try CLI.run(["boot", "--state-dir", dir.path("nothing")])
        #expect(unprovisioned.status == 2 && unprovisioned.stderr.contains("not provisioned"), "\(unprovisioned)")
    }
}
