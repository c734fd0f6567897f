import ArgumentParser
import Attest
#if canImport(Glibc)
import Glibc
#endif

/// Where a passphrase comes from: `--passphrase-file`, `ATTEST_PASSPHRASE`, or a prompt on a terminal.
/// Never from an argument, so it cannot leak through the process list or shell history.
struct PassphraseOptions: ParsableArguments {
    @Option(name: .customLong("passphrase-file"), help: "Read the passphrase from the first line of this file.")
    var passphraseFile: String?

    /// The passphrase for reading an existing key.
    func read(prompt: String) throws(AttestError) -> [UInt8] {
        if let passphraseFile {
            let bytes = try AtomicFile.read(passphraseFile, limit: 64 * 1024)
            let line = Array(bytes.prefix { $0 != 0x0a && $0 != 0x0d })
            guard !line.isEmpty else { throw AttestError(.usage, "the passphrase file is empty", at: passphraseFile) }
            return line
        }
        if let env = getenv("ATTEST_PASSPHRASE") {
            let value = Array(String(cString: env).utf8)
            guard !value.isEmpty else { throw AttestError(.usage, "ATTEST_PASSPHRASE is set but empty") }
            return value
        }
        guard isatty(STDIN_FILENO) == 1, let typed = getpass(prompt) else {
            throw AttestError(.usage, "a passphrase is needed: give --passphrase-file, set ATTEST_PASSPHRASE, or use --no-passphrase for a new key")
        }
        let value = Array(String(cString: typed).utf8)
        guard !value.isEmpty else { throw AttestError(.usage, "empty passphrase") }
        return value
    }

    /// The passphrase for a new key: asked twice when typed.
    func readNew() throws(AttestError) -> [UInt8] {
        if passphraseFile != nil || getenv("ATTEST_PASSPHRASE") != nil {
            return try read(prompt: "")
        }
        let first = try read(prompt: "New passphrase: ")
        let second = try read(prompt: "Repeat passphrase: ")
        guard first == second else { throw AttestError(.usage, "the passphrases do not match") }
        return first
    }
}
