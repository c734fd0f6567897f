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
        // The first byte says the format: JSON (a key dict, or what `key show --json` prints) holds PEM text
        // inside its strings, so it must be told apart before any PEM marker is looked for.
        let first = bytes.first { $0 != 0x20 && $0 != 0x0a && $0 != 0x0d && $0 != 0x09 }
        if first == UInt8(ascii: "{") {
            do throws(AttestError) {
                return try publicKey(json: JSONParser.parse(bytes))
            } catch {
                throw error.inFile(path)
            }
        }
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
        throw AttestError(.invalidKey, "not a PEM key or a key dict", at: path)
    }

    /// A key dict, or the object `key show --json` prints (its key id and type must be the key's).
    public static func publicKey(json value: JSONValue) throws(AttestError) -> PublicKey {
        guard case .object(let object) = value, object["keyid"] != nil else { return try KeyDict(json: value).publicKey }
        var reader = try JSONObjectReader(value)
        let keyID = try reader.string("keyid")
        let type = try reader.string("type")
        let key: PublicKey
        if let dict = reader.optionalValue("key") {
            key = try KeyDict(json: dict, path: reader.path(of: "key")).publicKey
        } else {
            let pem = try reader.string("publicKeyPem")
            do throws(CryptoError) {
                key = try PublicKey(pem: pem)
            } catch {
                throw AttestError(error).inFile(reader.path(of: "publicKeyPem"))
            }
        }
        try reader.finish()
        guard key.keyID == keyID else { throw AttestError(.invalidKey, "keyid \(keyID) is not the key's (\(key.keyID))", at: reader.path(of: "keyid")) }
        guard key.algorithm.name == type else { throw AttestError(.invalidKey, "type \(type) is not the key's (\(key.algorithm.name))", at: reader.path(of: "type")) }
        return key
    }

}
