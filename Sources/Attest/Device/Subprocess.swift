#if canImport(Glibc)
import Glibc
#endif

/// Runs a helper program (nvidia-smi) and captures its standard output: posix_spawn and a pipe, no shell.
enum Subprocess {
    struct Output {
        let status: Int32
        let stdout: [UInt8]
    }

    /// Runs `path` (absolute: no PATH lookup) with `arguments`; past `timeoutSeconds` the program is killed
    /// and the call fails, so a wedged driver cannot hang the caller.
    static func run(_ path: String, _ arguments: [String], limit: Int = 1 << 20, timeoutSeconds: Int = 10) throws(AttestError) -> Output {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw AttestError(.environment, "cannot create a pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        close(fds[1])
        guard spawned == 0 else {
            close(fds[0])
            throw AttestError(.environment, "cannot run \(path): \(String(cString: strerror(spawned)))")
        }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let deadline = monotonicMilliseconds() + Int64(timeoutSeconds) * 1000
        while true {
            var ready = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let left = deadline - monotonicMilliseconds()
            let polled = left > 0 ? poll(&ready, 1, Int32(min(left, Int64(Int32.max)))) : 0
            if polled < 0 && errno == EINTR { continue }
            if polled == 0 {
                kill(pid, SIGKILL)
                close(fds[0])
                var ignored: Int32 = 0
                while waitpid(pid, &ignored, 0) < 0 && errno == EINTR {}
                throw AttestError(.environment, "device probe failed: \(path) did not finish within \(timeoutSeconds) s (killed)")
            }
            let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            if out.count + n <= limit { out.append(contentsOf: buffer[0..<n]) }
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS are macros: decode the wait status by hand.
        let exited = (status & 0x7f) == 0
        return Output(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdout: out)
    }

    static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
