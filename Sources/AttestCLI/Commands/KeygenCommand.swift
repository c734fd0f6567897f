import ArgumentParser
import Attest
import AttestCrypto

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a key pair: PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SPKI PEM).")

    @Option(name: .customLong("type"), help: "ed25519, ecdsa-p256, ecdsa-p384, rsa-3072, rsa-4096 or x25519.")
    var type: String = "ed25519"

    @Option(name: .customLong("out"), help: "Path prefix of the two files written.")
    var out: String

    @OptionGroup var passphrase: PassphraseOptions

    @Flag(name: .customLong("no-passphrase"), help: "Write the private key unencrypted (for demos and tests).")
    var noPassphrase = false

    func validate() throws {
        guard KeyGenerationType(rawValue: type) != nil else {
            throw ValidationError("unknown key type '\(type)' (ed25519, ecdsa-p256, ecdsa-p384, rsa-3072, rsa-4096, x25519)")
        }
        if noPassphrase && passphrase.passphraseFile != nil {
            throw ValidationError("--no-passphrase and --passphrase-file exclude each other")
        }
    }

    func run() throws {
        guard let keyType = KeyGenerationType(rawValue: type) else { throw ValidationError("unknown key type") }
        let pass: [UInt8]? = noPassphrase ? nil : try passphrase.readNew()
        let written = try KeyPairFiles.generate(keyType, prefix: out, passphrase: pass)
        Terminal.write("""
            keyid    \(written.keyID)
            type     \(keyType.rawValue)
            private  \(written.privatePath)\(pass == nil ? " (unencrypted)" : "")
            public   \(written.publicPath)

            """)
    }
}
