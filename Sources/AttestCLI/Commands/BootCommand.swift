import ArgumentParser
import Attest

struct BootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot",
        abstract: "Verify this device's manifests against its hardware; exit 1 unless every chip is covered.",
        discussion: "Every chip present must be named by a manifest that passes every check. A receipt of each decision is signed into the device's log.")

    @OptionGroup var device: DeviceOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let gate = try device.gate()
        let report = try gate.boot()
        // Receipts the queue set aside (torn, forged, unknown key, replayed) are for a person to look into.
        let queue = SQLiteReceiptLog(stateDirectory: gate.stateDirectory).queue
        let setAside = try queue.setAsideCount()
        Terminal.writeRecorded(report.recorded)
        if json {
            let chips: [JSONValue] = report.chips.map {
                ["serial": .string($0.chip.serial), "vendor": .string($0.chip.vendor), "model": .string($0.chip.model),
                 "covered": .bool($0.coveredBy != nil), "manifest": $0.coveredBy.map { .string($0) } ?? .null, "detail": .string($0.reason)]
            }
            let results: [JSONValue] = report.results.map { item in
                var object = item.result.json.objectValue ?? JSONObject()
                _ = object.updateValue(.string(item.file), forKey: "file")
                return .object(object)
            }
            Terminal.write(JSONPrettyPrinter.render(["decision": .string(report.allCovered ? "allow" : "deny"), "chips": .array(chips), "manifests": .array(results),
                                                  "setAsideReceipts": .number(JSONNumber(Int64(setAside))),
                                                  "recorded": .array(report.recorded.map(\.json))]) + "\n")
        } else {
            var out = "\(report.allCovered ? "BOOT OK" : "BOOT DENIED")  \(report.chips.filter { $0.coveredBy != nil }.count) of \(report.chips.count) chips covered\n"
            let width = max(6, report.chips.map(\.chip.serial.count).max() ?? 6)
            for status in report.chips {
                let serial = status.chip.serial + String(repeating: " ", count: width - status.chip.serial.count)
                out += "  \(status.coveredBy == nil ? "DENY " : "ALLOW")  \(serial)  \(status.chip.vendor) \(TerminalText.inline(status.chip.model))  \(TerminalText.inline(status.reason))\n"
            }
            if report.chips.isEmpty { out += "  the device reports no chips\n" }
            Terminal.write(out)
        }
        if setAside > 0 {
            Terminal.writeError("attest: FAIL log.queue: \(queue.rejectedPath) holds \(setAside) receipt line\(setAside == 1 ? "" : "s") set aside (torn, malformed, unknown key, forged or replayed): look into them; the boot decision above stands\n")
        }
        if !report.allCovered { throw ExitCode(1) }
    }
}

/// Options `boot` and `run` share: the state directory and the provisioned config, with overrides.
struct DeviceOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "The device state directory (default /var/lib/attest, or $ATTEST_STATE_DIR).")
    var stateDirectory: String?

    @Option(name: .customLong("manifests"), help: "The directory of signed manifests (default: from the device config).")
    var manifests: String?

    @Option(name: .customLong("device"), help: "A facts file to use instead of probing the hardware.")
    var deviceFacts: String?

    @Option(name: .customLong("root"), help: "A newer signed root (rotation). Repeatable.")
    var roots: [String] = []

    @Option(name: .customLong("delegation"), help: "A signed delegation, besides those in the manifests directory. Repeatable.")
    var delegations: [String] = []

    @Option(name: .customLong("revocation"), help: "A signed revocation list. Repeatable.")
    var revocations: [String] = []

    func gate() throws(AttestError) -> DeviceGate {
        try DeviceOptions.gate(stateDirectory: stateDirectory, manifests: manifests, deviceFacts: deviceFacts,
                               roots: roots, delegations: delegations, revocations: revocations)
    }

    static func gate(stateDirectory: String?, manifests: String?, deviceFacts: String?, roots: [String],
                     delegations: [String], revocations: [String]) throws(AttestError) -> DeviceGate {
        var gate = try DeviceGate(stateDirectory: stateDirectory ?? TrustOptions.environmentStateDirectory ?? "/var/lib/attest")
        if let manifests { gate.bundleDirectory = manifests }
        if let deviceFacts {
            // The provisioned region is the device's; a facts file may only describe chips.
            gate.factsOverride = try DeviceFacts.read(deviceFacts, region: gate.config.region)
        }
        for path in roots { gate.extraRoots.append(try NamedInput.read(path)) }
        for path in delegations { gate.extraDelegations.append(try NamedInput.read(path)) }
        for path in revocations { gate.extraRevocations.append(try NamedInput.read(path)) }
        return gate
    }
}
