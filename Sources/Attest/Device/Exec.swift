#if canImport(Glibc)
import Glibc
#endif

/// Replaces this process with the job, so it keeps the pid, its signals and its exit status.
public enum ProcessExec {
    public static func replace(with arguments: [String]) throws(AttestError) -> Never {
        guard let program = arguments.first, !program.isEmpty else { throw AttestError(.usage, "no command given after --") }
        let argv = arguments.map { strdup($0) } + [nil]
        execvp(program, argv)
        let reason = String(cString: strerror(errno))
        for p in argv { free(p) }
        // 127 is the shell's "command not found"; the message names the command.
        throw AttestError(.usage, "cannot run \(program): \(reason)")
    }
}
