import AttestTestSupport
import Foundation
import Testing

/// Issue 10, items 9, 10, 14 and 21: what a job sees is what was gated, and the probe fails closed.
@Suite("Hardening: the job and the probe")
struct HardeningGateCLITests {
    typealias Device = DeviceGateTests.Device

    static func run(_ device: Device, _ job: [String], workload: String = "industrial-inspection", model: String? = nil,
                    environment: [String: String] = [:]) throws -> CLI.Outcome {
        var args = ["run", "--state-dir", device.state, "--workload", workload]
        if let model { args += ["--model", model] }
        return try CLI.run(args + ["--"] + job, environment: environment)
    }

    /// The job's environment as `env` prints it.
    static func variables(_ out: CLI.Outcome) -> [String: String] {
        var vars: [String: String] = [:]
        for line in out.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { vars[String(parts[0])] = String(parts[1]) }
        }
        return vars
    }

    @Test("10.9 a job gates what CUDA will show it: NVIDIA_VISIBLE_DEVICES alone narrows nothing; CUDA_VISIBLE_DEVICES is set by UUID")
    func gpusTheJobSees() throws {
        let device = try Device(chips: Array(DeviceGateTests.serials[0..<4]))
        #expect(try CLI.run(["boot", "--state-dir", device.state]).status != 2)
        // A native job with only NVIDIA_VISIBLE_DEVICES set sees all 8 GPUs: the manifest covers 4.
        let native = try Self.run(device, ["/usr/bin/env"], environment: ["NVIDIA_VISIBLE_DEVICES": "0"])
        #expect(native.status == 1 && native.stderr.contains("DENY"), "\(native)")
        let narrowed = try Self.run(device, ["/usr/bin/env"], environment: ["CUDA_VISIBLE_DEVICES": "1,0", "CUDA_DEVICE_ORDER": "FASTEST_FIRST"])
        #expect(narrowed.status == 0, "\(narrowed)")
        let vars = Self.variables(narrowed)
        #expect(vars["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID")
        #expect(vars["CUDA_VISIBLE_DEVICES"] == "GPU-3f1c2a10-0000-4000-8000-000000000001,GPU-3f1c2a10-0000-4000-8000-000000000000", "\(vars)")
        // CUDA would quietly stop at an entry it cannot read; attest refuses it.
        let bad = try Self.run(device, ["/bin/true"], environment: ["CUDA_VISIBLE_DEVICES": "0,nine"])
        #expect(bad.status == 2 && bad.stderr.contains("CUDA_VISIBLE_DEVICES"), "\(bad)")
    }

    @Test("10.10 the job loads the bytes that were hashed: a swap after the decision changes nothing; a FIFO is refused")
    func modelTheJobLoads() throws {
        let device = try Device()
        let model = device.dir.path("model.bin")
        let bytes = Data("the pinned model\n".utf8)
        try bytes.write(to: URL(fileURLWithPath: model))
        try HardeningSealTests.addPinnedManifest(device, digest: try HardeningSealTests.sha256(bytes, in: device))
        #expect(try CLI.run(["boot", "--state-dir", device.state]).status == 0)
        // The job swaps the file, then writes into the copy, then reads what it was given.
        let job = ["/bin/sh", "-c", "echo swapped > '\(model)'; (echo x > \"$ATTEST_MODEL\") 2>/dev/null && echo WROTE; cat \"$ATTEST_MODEL\"; cat <&$ATTEST_MODEL_FD"]
        let out = try Self.run(device, job, workload: "public-safety", model: model)
        #expect(out.status == 0, "\(out)")
        // Read once by path and once from the descriptor: the pinned bytes both times, and the write failed.
        #expect(out.stdout == "the pinned model\nthe pinned model\n", "\(out.stdout)")
        // A FIFO never blocks the gate and is refused.
        let fifo = device.dir.path("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let piped = try Self.run(device, ["/bin/true"], workload: "public-safety", model: fifo)
        #expect(piped.status == 2 && piped.stderr.contains("regular file"), "\(piped)")
    }

    @Test("10.14 probing fails closed: no nvidia-smi, a probe root that is not there, PATH never used, a wedged nvidia-smi times out")
    func probeFailsClosed() throws {
        let dir = try TemporaryDirectory()
        let missing = try CLI.run(["device", "facts", "--probe-root", DeviceGateTests.gpu8, "--nvidia-smi", dir.path("nope")])
        #expect(missing.status == 3 && missing.stderr.contains("nvidia-smi"), "\(missing)")
        let noRoot = try CLI.run(["device", "facts", "--probe-root", dir.path("absent"), "--nvidia-smi", "none"])
        #expect(noRoot.status == 3 && noRoot.stderr.contains("probe root"), "\(noRoot)")
        // A fake nvidia-smi on PATH is not run: a bare name is looked for only under the probe root.
        try FileManager.default.createDirectory(atPath: dir.path("bin"), withIntermediateDirectories: true)
        let fake = try dir.write("bin/nvidia-smi", "#!/bin/sh\necho '0, GPU-x, 1, NVIDIA H200'\n")
        chmod(fake, 0o755)
        try FileManager.default.createDirectory(atPath: dir.path("root"), withIntermediateDirectories: true)
        let onPath = try CLI.run(["device", "facts", "--probe-root", dir.path("root"), "--nvidia-smi", "nvidia-smi"],
                                 environment: ["PATH": dir.path("bin") + ":/usr/bin:/bin"])
        #expect(onPath.status == 3 && !onPath.stdout.contains("GPU-x"), "\(onPath)")
        let wedged = try dir.write("wedged", "#!/bin/sh\nexec sleep 30\n")
        chmod(wedged, 0o755)
        let start = Date()
        let slow = try CLI.run(["device", "facts", "--probe-root", dir.url.path, "--nvidia-smi", wedged, "--timeout", "1"])
        #expect(slow.status == 3 && slow.stderr.contains("did not finish"), "\(slow)")
        #expect(Date().timeIntervalSince(start) < 20, "the probe was killed, not waited for")
        // A device without NVIDIA GPUs says so.
        let jetson = try CLI.run(["device", "facts", "--probe-root", DeviceGateTests.fixtures + "/hosts/jetson", "--nvidia-smi", "none"])
        #expect(jetson.status == 0, "\(jetson)")
    }

    @Test("10.21 the job's environment carries no ATTEST_PASSPHRASE or other ATTEST_ variable")
    func noSecretsForTheJob() throws {
        let device = try Device()
        #expect(try CLI.run(["boot", "--state-dir", device.state]).status == 0)
        let out = try Self.run(device, ["/usr/bin/env"], environment: ["ATTEST_PASSPHRASE": "hunter2", "ATTEST_STATE_DIR": device.state, "KEEP_ME": "1"])
        #expect(out.status == 0, "\(out)")
        let vars = Self.variables(out)
        #expect(vars["KEEP_ME"] == "1")
        #expect(!out.stdout.contains("hunter2") && vars.keys.allSatisfy { !$0.hasPrefix("ATTEST_") }, "\(vars)")
    }
}
