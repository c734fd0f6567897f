import ArgumentParser
import Attest
import AttestCrypto
#if canImport(Glibc)
import Glibc
#endif

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Verify, write a receipt, then exec the job: it keeps the pid, signals and exit status.",
        discussion: """
            The GPUs in use are what CUDA will show the job: all of them unless CUDA_VISIBLE_DEVICES narrows them \
            (indexes or UUIDs); the job gets CUDA_VISIBLE_DEVICES by UUID and CUDA_DEVICE_ORDER=PCI_BUS_ID. The last \
            boot must have allowed those chips. With --model, the job loads a sealed copy of the bytes that were \
            hashed, from ATTEST_MODEL (a path) or ATTEST_MODEL_FD. On deny nothing runs and the exit status is 1.
            """)

    @Option(help: "The workload class of the job.")
    var workload: String

    @Option(help: "The model file the job loads (its digest must be pinned when the class pins models).")
    var model: String?

    @OptionGroup var device: DeviceOptions

    @Flag(help: "Probe the hardware now instead of using what the last boot found.")
    var probe = false

    @Flag(name: .customLong("no-boot-check"), help: "Run even when the last boot denied the chips in use (or the device never booted).")
    var noBootCheck = false

    @Argument(parsing: .postTerminator, help: "The command to run, after --.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the command to run after --") }
    }

    func run() throws {
        try RunInvocation(workload: workload, model: model, stateDirectory: device.stateDirectory, manifests: device.manifests,
                          deviceFacts: device.deviceFacts, roots: device.roots, delegations: device.delegations,
                          revocations: device.revocations, probe: probe, noBootCheck: noBootCheck, command: command).run()
    }
}

/// `attest run` as plain values, so the fast path can skip ArgumentParser (a job launch is hot).
struct RunInvocation {
    var workload = ""
    var model: String?
    var stateDirectory: String?
    var manifests: String?
    var deviceFacts: String?
    var roots: [String] = []
    var delegations: [String] = []
    var revocations: [String] = []
    var probe = false
    var noBootCheck = false
    var command: [String] = []

    /// Reads `--workload C [--model F] [--state-dir D] [--manifests D] [--device F] … -- CMD…`; anything else
    /// goes through ArgumentParser.
    static let repeatable: Set<String> = ["--root", "--delegation", "--revocation"]

    static func fastParse(_ arguments: ArraySlice<String>) -> RunInvocation? {
        guard let separator = arguments.firstIndex(of: "--") else { return nil }
        var v = RunInvocation()
        v.command = Array(arguments[(separator + 1)...])
        var i = arguments.startIndex
        // A single-value option given twice is a usage error: ArgumentParser's path (and ArgumentRules) says so.
        var given = Set<String>()
        while i < separator {
            if !RunInvocation.repeatable.contains(arguments[i]), !given.insert(arguments[i]).inserted { return nil }
            if arguments[i] == "--no-boot-check" {
                v.noBootCheck = true
                i += 1
                continue
            }
            if arguments[i] == "--probe" {
                v.probe = true
                i += 1
                continue
            }
            guard i + 1 < separator else { return nil }
            let value = arguments[i + 1]
            if value.hasPrefix("-") { return nil }
            switch arguments[i] {
            case "--workload": v.workload = value
            case "--model": v.model = value
            case "--state-dir": v.stateDirectory = value
            case "--manifests": v.manifests = value
            case "--device": v.deviceFacts = value
            case "--root": v.roots.append(value)
            case "--delegation": v.delegations.append(value)
            case "--revocation": v.revocations.append(value)
            default: return nil
            }
            i += 2
        }
        return v.workload.isEmpty || v.command.isEmpty ? nil : v
    }

    func run() throws {
        var gate = try DeviceOptions.gate(stateDirectory: stateDirectory, manifests: manifests, deviceFacts: deviceFacts,
                                          roots: roots, delegations: delegations, revocations: revocations)
        gate.probeEveryRun = probe
        gate.requireBoot = !noBootCheck
        // The model is opened once and copied, sealed, while it is hashed: the job loads that copy.
        let copy = try model.map { (path) throws(AttestError) in try SealedCopy(path: path) }
        let cuda = getenv("CUDA_VISIBLE_DEVICES").map { String(cString: $0) }
        let decision = try gate.authorize(job: JobRequest(workload: workload, modelDigest: copy?.digest), cudaVisibleDevices: cuda)
        Terminal.writeRecorded(decision.recorded)
        guard decision.allowed else {
            Terminal.writeError("attest: DENY \(TerminalText.inline(workload)): \(TerminalText.inline(decision.reason))\n")
            throw ExitCode(1)
        }
        try ProcessExec.replace(with: command, environment: JobEnvironment.make(from: ProcessExec.currentEnvironment(), gpus: decision.gpus, model: copy))
    }
}
