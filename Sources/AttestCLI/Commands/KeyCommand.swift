import ArgumentParser
import Attest
import AttestCrypto

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Work with key files.",
        subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print a key's keyid, type and key dict (the form documents carry).")

        @Argument(help: "A private or public key file (PEM), or a key dict (JSON).")
        var keyFile: String

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var passphrase: PassphraseOptions

        func run() throws {
            let key = try KeyFiles.loadPublicKey(at: keyFile) { () throws(AttestError) in
                try passphrase.read(prompt: "Passphrase for \(keyFile): ")
            }
            let description = try KeyDescription(key)
            if json {
                Terminal.write(JSONPrettyPrinter.render(description.json) + "\n")
            } else {
                Terminal.write(description.text)
            }
        }
    }
}
