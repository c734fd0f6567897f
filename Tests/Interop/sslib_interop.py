#!/usr/bin/env python3
"""Cross-checks attest's envelopes with securesystemslib, as a user of that library would.

  verify ENVELOPE KEY_JSON   exit 0 when securesystemslib verifies ENVELOPE (threshold 1) under the key
                             described by KEY_JSON (the output of `attest key show --json`)
  sign PRIVATE_PEM KEY_JSON PAYLOAD_TYPE PAYLOAD_FILE OUT
                             sign PAYLOAD_FILE's bytes with securesystemslib's CryptoSigner, write the envelope
"""
import json
import sys

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey


def sslib_key(path):
    with open(path) as f:
        shown = json.load(f)
    d = shown["key"]
    return SSlibKey(shown["keyid"], d["keytype"], d["scheme"], d["keyval"])


def verify(envelope_path, key_path):
    with open(envelope_path, "rb") as f:
        envelope = Envelope.from_dict(json.load(f))
    try:
        envelope.verify([sslib_key(key_path)], 1)
    except Exception as e:  # securesystemslib raises VerificationError
        print(f"securesystemslib rejected {envelope_path}: {e}", file=sys.stderr)
        return 1
    print("verified")
    return 0


def sign(private_pem, key_path, payload_type, payload_path, out):
    with open(private_pem, "rb") as f:
        private = load_pem_private_key(f.read(), password=None)
    signer = CryptoSigner(private, sslib_key(key_path))
    with open(payload_path, "rb") as f:
        payload = f.read()
    envelope = Envelope(payload=payload, payload_type=payload_type, signatures={})
    envelope.sign(signer)
    with open(out, "w") as f:
        json.dump(envelope.to_dict(), f)
    return 0


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    sys.exit({"verify": verify, "sign": sign}[command](*args))
