"""Small secrets kept encrypted in the database: AES-256-GCM under a key kept outside it.

Used for the buffered ballots (luoshi.evaluation.sealing, under LUOSHI_BALLOT_KEY) and the
authenticator apps' TOTP secrets (luoshi.orgs.twofactor, under LUOSHI_TWO_FACTOR_KEY). A payload
is "v1:" + base64(nonce ‖ ciphertext ‖ tag) with a fresh random 96-bit nonce each time; the
`associated` bytes (the row it belongs to) are authenticated with it, so a payload copied to
another row does not open. The 256-bit key is SHA-256 of the purpose and the configured key, so
one configured key never serves two purposes with the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
NONCE_BYTES = 12


class Unreadable(Exception):
    """A payload that does not open: tampered with, moved to another row, or sealed under
    another key."""


def _cipher(key: str, purpose: str) -> AESGCM:
    return AESGCM(hashlib.sha256(f"{purpose}:{key}".encode()).digest())


def seal(data: bytes, *, key: str, purpose: str, associated: bytes) -> str:
    """`data` encrypted and authenticated with `associated` (see the module doc)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = _cipher(key, purpose).encrypt(nonce, data, associated)
    return f"{VERSION}:{base64.b64encode(nonce + sealed).decode()}"


def unseal(payload: str, *, key: str, purpose: str, associated: bytes) -> bytes:
    """The bytes `seal` sealed with the same key, purpose and associated bytes; Unreadable
    otherwise."""
    version, _sep, text = (payload or "").partition(":")
    try:
        if version != VERSION:
            raise ValueError(version)
        raw = base64.b64decode(text, validate=True)
        return _cipher(key, purpose).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated)
    except (InvalidTag, ValueError, TypeError, binascii.Error) as exc:
        raise Unreadable(version) from exc


def sealed_length(plain_bytes: int) -> int:
    """The payload's length for `plain_bytes` bytes of data (for a column's max_length)."""
    raw = NONCE_BYTES + plain_bytes + 16
    return len(VERSION) + 1 + 4 * ((raw + 2) // 3)
