import ArgumentParser
import Attest

struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Provision an edge device and show what it probes.",
        subcommands: [Facts.self, Init.self])

    struct Facts: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "facts", abstract: "Print the chips and host facts this device reports.")

        @Option(name: .customLong("state-dir"), help: "The device state directory (its config gives the region and probe settings). Also $ATTEST_STATE_DIR.")
        var stateDirectory: String?

        @Option(name: .customLong("probe-root"), help: "Read /sys and /proc under this directory (for fake hardware trees).")
        var probeRoot: String?

        @Option(name: .customLong("nvidia-smi"), help: "The nvidia-smi program: a name (found under the probe root's /usr/bin, /usr/sbin, /bin, /sbin, /usr/local/bin, never on PATH), an absolute path, or 'none' for no NVIDIA GPUs.")
        var nvidiaSMI: String?

        @Option(help: "Seconds nvidia-smi may take before the probe fails.")
        var timeout: Int = 10

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            guard (1...300).contains(timeout) else { throw ValidationError("--timeout must be 1 to 300 seconds") }
        }

        func run() throws {
            let state = stateDirectory ?? TrustOptions.environmentStateDirectory
            let config: DeviceConfig? = try state.flatMap { s throws(AttestError) in
                AtomicFile.exists(s + "/" + DeviceConfig.fileName) ? try DeviceConfig.load(stateDirectory: s) : nil
            }
            var probe = HardwareProbe(root: probeRoot ?? config?.probeRoot ?? "/", nvidiaSMI: nvidiaSMI ?? config?.nvidiaSMI ?? "nvidia-smi")
            probe.timeoutSeconds = timeout
            let report = try probe.probe()
            if json {
                Terminal.write(JSONPrettyPrinter.render(HardwareProbe.json(report, region: config?.region)) + "\n")
                return
            }
            var out = "region  \(config?.region ?? "(not provisioned)")\n"
            out += "chips   \(report.chips.count)\n"
            for gpu in report.gpus {
                out += "  GPU \(gpu.index)  \(gpu.chip.vendor) \(TerminalText.inline(gpu.chip.model))  serial \(gpu.chip.serial)  \(TerminalText.inline(gpu.uuid))\n"
            }
            if report.gpus.isEmpty {
                for chip in report.chips { out += "  \(chip.vendor) \(chip.model)  serial \(chip.serial)\n" }
            }
            let h = report.host
            if let v = h.dmiProductSerial { out += "dmi     product serial \(v)\(h.dmiProductName.map { ", product \($0)" } ?? "")\(h.dmiBoardName.map { ", board \($0)" } ?? "")\n" }
            if let v = h.deviceTreeSerial { out += "dt      serial \(v)\(h.deviceTreeModel.map { ", model \($0)" } ?? "")\n" }
            Terminal.write(out)
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Provision this device: signing and sealing keys (0600), config, state directory, trusted root.")

        @Option(help: "The region the device is deployed in (ISO 3166-1 or 3166-2).")
        var region: String

        @Option(help: "The signed root to trust.")
        var root: String

        @Option(name: .customLong("state-dir"), help: "The state directory (default /var/lib/attest, or $ATTEST_STATE_DIR).")
        var stateDirectory: String?

        @Option(name: .customLong("manifests"), help: "Where signed manifests for this device arrive (default STATE/manifests).")
        var manifests: String?

        @Option(name: .customLong("probe-root"), help: "Read /sys and /proc under this directory.")
        var probeRoot: String = "/"

        @Option(name: .customLong("nvidia-smi"), help: "The nvidia-smi program: a name (found under the probe root's program folders, never on PATH), an absolute path, or 'none' for a device without NVIDIA GPUs.")
        var nvidiaSMI: String = "nvidia-smi"

        func run() throws {
            let state = stateDirectory ?? TrustOptions.environmentStateDirectory ?? "/var/lib/attest"
            let made = try DeviceProvisioning.initialize(stateDirectory: state, region: region, root: try NamedInput.read(root),
                                                         bundleDirectory: manifests, probeRoot: probeRoot, nvidiaSMI: nvidiaSMI)
            Terminal.write("""
                provisioned device in \(state)
                region       \(made.config.region)
                signing key  \(made.signingKeyID)  (device.key, receipts)
                sealing key  \(made.sealingKeyID)  (device-x25519.key, sealed files)
                manifests    \(made.config.bundleDirectory)

                """)
        }
    }
}
