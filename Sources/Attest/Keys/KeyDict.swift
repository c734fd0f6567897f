import AttestCrypto

/// A public key as documents carry it: the TUF / securesystemslib dict
/// `{"keytype": …, "scheme": …, "keyval": {"public": …}}`.
///
/// Guarantees: keytype and scheme are one of the supported pairs and agree with the key inside
/// (an `ecdsa-sha2-nistp256` dict holding a P-384 key is rejected); no other members are present.
public struct KeyDict: Sendable, Equatable {
    public let publicKey: PublicKey

    public var keyID: String { publicKey.keyID }

    public init(_ publicKey: PublicKey) throws(AttestError) {
        guard publicKey.algorithm.canSign else {
            throw AttestError(.unsupportedAlgorithm, "\(publicKey.algorithm) keys do not sign and have no key dict")
        }
        self.publicKey = publicKey
    }

    /// keytype and scheme for an algorithm, as securesystemslib names them.
    public static func names(for algorithm: KeyAlgorithm) -> (keytype: String, scheme: String)? {
        switch algorithm {
        case .ed25519: ("ed25519", "ed25519")
        case .ecdsaP256: ("ecdsa", "ecdsa-sha2-nistp256")
        case .ecdsaP384: ("ecdsa", "ecdsa-sha2-nistp384")
        case .rsa: ("rsa", "rsassa-pss-sha256")
        case .x25519: nil
        }
    }

    public init(json value: JSONValue, path: String = "$") throws(AttestError) {
        var reader = try JSONObjectReader(value, path: path)
        let keytype = try reader.string("keytype")
        let scheme = try reader.string("scheme")
        var keyval = try reader.object("keyval")
        let material = try keyval.string("public")
        try keyval.finish()
        try reader.finish()
        let key: PublicKey
        do {
            switch (keytype, scheme) {
            case ("ed25519", "ed25519"):
                guard material.utf8.count == 64, material == material.lowercased(), let raw = Hex.decode(material) else {
                    throw AttestError(.invalidKey, "ed25519 public key must be 64 lowercase hex digits", at: path + ".keyval.public")
                }
                key = try PublicKey(raw: raw, algorithm: .ed25519)
            case ("ecdsa", "ecdsa-sha2-nistp256"), ("ecdsa", "ecdsa-sha2-nistp384"), ("rsa", "rsassa-pss-sha256"):
                key = try PublicKey(pem: material)
            default:
                throw AttestError(.unsupportedAlgorithm, "unsupported keytype/scheme \(keytype)/\(scheme)", at: path)
            }
        } catch let error as CryptoError {
            throw AttestError(error).inFile(path + ".keyval.public")
        } catch let error as AttestError {
            throw error
        } catch {
            throw AttestError(.invalidKey, "\(error)", at: path)
        }
        guard let expected = KeyDict.names(for: key.algorithm), expected == (keytype, scheme) else {
            throw AttestError(.invalidKey, "key is \(key.algorithm) but the dict says \(keytype)/\(scheme)", at: path)
        }
        self.publicKey = key
    }

    public var json: JSONValue {
        // Only signing keys get here (checked in init), so names(for:) is never nil.
        let names = KeyDict.names(for: publicKey.algorithm) ?? ("", "")
        let material: String
        if publicKey.algorithm == .ed25519, let raw = publicKey.raw {
            material = Hex.encode(raw)
        } else {
            material = publicKey.pem
        }
        return .object(JSONObject(uniqueMembers: [
            ("keytype", .string(names.keytype)),
            ("keyval", .object(JSONObject(uniqueMembers: [("public", .string(material))]))),
            ("scheme", .string(names.scheme)),
        ]))
    }

    /// Reads a `{"<keyid>": {key dict}}` map, rejecting a key listed under an id that is not its own.
    public static func keyMap(_ value: JSONValue, path: String) throws(AttestError) -> [String: PublicKey] {
        guard case .object(let object) = value else {
            throw AttestError(.invalidDocument, "expected an object of keyid to key", at: path)
        }
        var keys: [String: PublicKey] = [:]
        for (keyID, item) in object.members {
            let memberPath = path + "." + keyID
            let dict = try KeyDict(json: item, path: memberPath)
            guard dict.keyID == keyID else {
                throw AttestError(.invalidKey, "key listed under id \(keyID) has keyid \(dict.keyID)", at: memberPath)
            }
            keys[keyID] = dict.publicKey
        }
        return keys
    }
}
