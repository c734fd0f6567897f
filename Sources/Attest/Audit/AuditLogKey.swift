import AttestCrypto

/// The signing key of one audit log: an unencrypted Ed25519 PKCS#8 PEM beside the log, `LOG.key`, mode 0600.
///
/// Guarantees: the key is made on the first append and never overwritten (a temporary file linked into place,
/// so two processes making it at once end with one key, which both use); the log signs checkpoints with it
/// unattended, as a device signs receipts, so it carries no passphrase.
public enum AuditLogKey {
    /// `LOG.key`.
    public static func path(forLog log: String) -> String { log + ".key" }

    /// `attest.example/<log file name>`: the checkpoint origin and note key name when `--origin` is not given.
    public static func defaultOrigin(forLog log: String) -> String {
        let name = log.split(separator: "/").last.map(String.init) ?? log
        return "attest.example/" + name
    }

    /// Loads the log's key, making it first when there is none.
    public static func loadOrCreate(forLog log: String) throws(AttestError) -> PrivateKey {
        let keyPath = path(forLog: log)
        if !AtomicFile.exists(keyPath) {
            let key: PrivateKey
            let pem: String
            do {
                key = try PrivateKey.generate(.ed25519)
                pem = try key.pem(passphrase: nil)
            } catch {
                throw AttestError(error)
            }
            do {
                try AtomicFile.write(Array(pem.utf8), to: keyPath, mode: 0o600, overwrite: false)
                return key
            } catch {
                // Another process made it first: use that one.
                guard AtomicFile.exists(keyPath) else { throw error }
            }
        }
        return try load(forLog: log)
    }

    /// Loads an existing log key. Throws `.io` when there is none.
    public static func load(forLog log: String) throws(AttestError) -> PrivateKey {
        let keyPath = path(forLog: log)
        let key = try KeyFiles.loadPrivateKey(at: keyPath) { () throws(AttestError) in
            throw AttestError(.invalidKey, "an audit log key must be unencrypted: the log signs checkpoints unattended", at: keyPath)
        }
        guard key.algorithm == .ed25519 else {
            throw AttestError(.unsupportedAlgorithm, "an audit log key must be ed25519, not \(key.algorithm)", at: keyPath)
        }
        return key
    }
}
