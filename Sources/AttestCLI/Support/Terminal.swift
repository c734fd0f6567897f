import ArgumentParser
import Attest
import AttestCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Printing and the mapping from errors to the exit codes of DESIGN.md.
enum Terminal {
    static func printError(_ message: String) {
        // One line, whatever the message held, and nothing in it a terminal acts on.
        writeAll(STDERR_FILENO, "attest: error: \(TerminalText.inline(message.replacingNewlines()))\n")
    }

    /// Every text output goes through here: document strings in it cannot drive the terminal (`TerminalText`).
    static func write(_ text: String) {
        writeAll(STDOUT_FILENO, TerminalText.sanitized(text))
    }

    static func writeError(_ text: String) {
        writeAll(STDERR_FILENO, TerminalText.sanitized(text))
    }

    /// What a command wrote to the device state, one line each on standard error.
    static func writeRecorded(_ changes: [StateChange]) {
        if changes.isEmpty { return }
        writeError(changes.map { "attest: recorded \($0)\n" }.joined())
    }

    /// Unbuffered, so output is complete before an exec or an exit.
    private static func writeAll(_ fd: Int32, _ text: String) {
        writeAll(fd, Array(text.utf8))
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }

    /// Prints one line for a user error and exits 2 (input), 1 (denied) or 3 (environment).
    static func exit(with error: any Error) -> Never {
        switch error {
        case let error as AttestError:
            printError(error.description)
            Glibc.exit(exitCode(for: error.code))
        case let error as CryptoError:
            let mapped = AttestError(error)
            printError(mapped.description)
            Glibc.exit(exitCode(for: mapped.code))
        case let error as ExitCode:
            Glibc.exit(error.rawValue)
        default:
            let code = AttestCommand.exitCode(for: error)
            if code == .success {
                // --help and --version
                AttestCommand.exit(withError: error)
            }
            let message = AttestCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "bad usage"
            printError("\(message) (see 'attest --help')")
            Glibc.exit(2)
        }
    }

    static func exitCode(for code: AttestError.Code) -> Int32 {
        switch code {
        case .signatureFailed: 1
        case .environment, .crypto: 3
        default: 2
        }
    }
}

extension String {
    func replacingNewlines() -> String {
        String(unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : Character($0) })
    }
}
