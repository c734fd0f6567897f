internal import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// Replaces this process with the job, so it keeps the pid, its signals and its exit status.
public enum ProcessExec {
    /// Executes `arguments` (PATH is searched for the program) with exactly `environment` (`NAME=value`).
    public static func replace(with arguments: [String], environment: [String]) throws(AttestError) -> Never {
        guard let program = arguments.first, !program.isEmpty else { throw AttestError(.usage, "no command given after --") }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        _ = attest_execvpe(program, argv, envp)
        let reason = String(cString: strerror(errno))
        for p in argv { free(p) }
        for p in envp { free(p) }
        throw AttestError(.usage, "cannot run \(program): \(reason)")
    }

    /// This process's environment, in order.
    public static func currentEnvironment() -> [String] {
        var out: [String] = []
        var cursor = Glibc.environ
        while let entry = cursor.pointee {
            out.append(String(cString: entry))
            cursor += 1
        }
        return out
    }
}

/// The environment a job starts with: the caller's, less every `ATTEST_*` variable (the passphrase among them:
/// the job is not attest and gets none of its secrets), plus what the gate decided: the GPUs CUDA may use, in
/// the probe's order, and the sealed copy of the model.
public enum JobEnvironment {
    public static func make(from current: [String], gpus: [HardwareProbe.GPU]?, model: SealedCopy?) -> [String] {
        var out = current.filter { entry in
            let name = entry.prefix { $0 != "=" }
            if name.hasPrefix("ATTEST_") { return false }
            // Set below, from the gate's decision.
            if gpus != nil && (name == "CUDA_VISIBLE_DEVICES" || name == "CUDA_DEVICE_ORDER") { return false }
            return true
        }
        if let gpus {
            // By UUID, so an index cannot come to mean another GPU; PCI bus order is the order nvidia-smi reports.
            out.append("CUDA_DEVICE_ORDER=PCI_BUS_ID")
            out.append("CUDA_VISIBLE_DEVICES=" + gpus.map(\.uuid).joined(separator: ","))
        }
        if let model {
            for (name, value) in model.environment.sorted(by: { $0.key < $1.key }) { out.append("\(name)=\(value)") }
        }
        return out
    }
}
