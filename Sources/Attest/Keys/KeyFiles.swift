import AttestCrypto

/// Reading keys from files in the forms attest writes and accepts.
public enum KeyFiles {
    /// Whether a PEM private key file is encrypted (so a passphrase must be found before loading it).
    public static func isEncrypted(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes, as: UTF8.self).containsBytes("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    }

    /// Loads a PKCS#8 PEM private key; `passphrase` is asked for only when the key is encrypted.
    public static func loadPrivateKey(at path: String, passphrase: () throws(AttestError) -> [UInt8]) throws(AttestError) -> PrivateKey {
        let bytes = try AtomicFile.read(path, limit: 1 << 20)
        let pass: [UInt8]? = isEncrypted(bytes) ? try passphrase() : nil
        do {
            return try PrivateKey(pem: String(decoding: bytes, as: UTF8.self), passphrase: pass)
        } catch {
            throw AttestError(error).inFile(path)
        }
    }

    /// Loads any form of public key: an SPKI PEM, a private key PEM (its public half), or a key dict JSON.
    public static func loadPublicKey(at path: String, passphrase: () throws(AttestError) -> [UInt8]) throws(AttestError) -> PublicKey {
        let bytes = try AtomicFile.read(path, limit: 1 << 20)
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            if text.containsBytes("-----BEGIN PUBLIC KEY-----") {
                return try PublicKey(pem: text)
            }
            if text.containsBytes("PRIVATE KEY-----") {
                let pass: [UInt8]? = isEncrypted(bytes) ? try passphrase() : nil
                return try PrivateKey(pem: text, passphrase: pass).publicKey
            }
        } catch let error as CryptoError {
            throw AttestError(error).inFile(path)
        } catch let error as AttestError {
            throw error.inFile(path)
        } catch {
            throw AttestError(.invalidKey, "\(error)", at: path)
        }
        let first = bytes.first { $0 != 0x20 && $0 != 0x0a && $0 != 0x0d && $0 != 0x09 }
        guard first == UInt8(ascii: "{") else {
            throw AttestError(.invalidKey, "not a PEM key or a key dict", at: path)
        }
        do {
            return try KeyDict(json: JSONParser.parse(bytes)).publicKey
        } catch {
            throw error.inFile(path)
        }
    }
}
