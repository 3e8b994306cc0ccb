"""MS-CHAPv2's computations (RFC 2759 section 8) and the MSK EAP-MSCHAPv2 leaves for IKEv2:
the MPPE master keys of RFC 3079 section 3, the authenticator's receive key then its send key,
padded to 64 bytes as Microsoft's and strongSwan's EAP-MSCHAPv2 make it."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from pyike.eap.md4 import md4

_MAGIC_SIGN = b"Magic server to client signing constant"
_MAGIC_PAD = b"Pad to make it do more than one iteration"
_MAGIC_MASTER = b"This is the MPPE Master Key"
_MAGIC_CLIENT_SEND = (
    b"On the client side, this is the send key; on the server side, it is the receive key."
)
_MAGIC_CLIENT_RECEIVE = (
    b"On the client side, this is the receive key; on the server side, it is the send key."
)
_SHS_PAD1 = bytes(40)
_SHS_PAD2 = b"\xf2" * 40
MSK_LENGTH = 64


def _sha1(*parts: bytes) -> bytes:
    return hashlib.sha1(b"".join(parts), usedforsecurity=False).digest()


def nt_password_hash(password: str) -> bytes:
    return md4(password.encode("utf-16-le"))


def challenge_hash(peer_challenge: bytes, authenticator_challenge: bytes, username: str) -> bytes:
    return _sha1(peer_challenge, authenticator_challenge, username.encode("utf-8"))[:8]


def _des_key(seven: bytes) -> bytes:
    """56 key bits spread over 8 bytes, 7 per byte (the parity bit DES ignores)."""
    bits = int.from_bytes(seven, "big")
    return bytes(((bits >> (49 - 7 * i)) & 0x7F) << 1 for i in range(8))


def _des(key7: bytes, block: bytes) -> bytes:
    key = _des_key(key7) * 3  # three equal keys: single DES
    encryptor = Cipher(TripleDES(key), modes.ECB()).encryptor()
    return encryptor.update(block) + encryptor.finalize()


def challenge_response(challenge: bytes, password_hash: bytes) -> bytes:
    padded = password_hash + bytes(21 - len(password_hash))
    return b"".join(_des(padded[i : i + 7], challenge) for i in (0, 7, 14))


def nt_response(
    authenticator_challenge: bytes, peer_challenge: bytes, username: str, password: str
) -> bytes:
    challenge = challenge_hash(peer_challenge, authenticator_challenge, username)
    return challenge_response(challenge, nt_password_hash(password))


def authenticator_response(
    password: str,
    response: bytes,
    peer_challenge: bytes,
    authenticator_challenge: bytes,
    username: str,
) -> str:
    """The "S=..." the authenticator proves it knows the password with."""
    hash_hash = md4(nt_password_hash(password))
    digest = _sha1(hash_hash, response, _MAGIC_SIGN)
    challenge = challenge_hash(peer_challenge, authenticator_challenge, username)
    return "S=" + _sha1(digest, challenge, _MAGIC_PAD).hex().upper()


def responses_equal(a: bytes | str, b: bytes | str) -> bool:
    left = a.encode() if isinstance(a, str) else a
    right = b.encode() if isinstance(b, str) else b
    return hmac.compare_digest(left, right)


def master_key(password: str, response: bytes) -> bytes:
    return _sha1(md4(nt_password_hash(password)), response, _MAGIC_MASTER)[:16]


def _start_key(master: bytes, magic: bytes) -> bytes:
    return _sha1(master, _SHS_PAD1, magic, _SHS_PAD2)[:16]


def msk(password: str, response: bytes) -> bytes:
    """The authenticator's MasterReceiveKey then MasterSendKey, zero-padded to 64 bytes."""
    master = master_key(password, response)
    receive = _start_key(master, _MAGIC_CLIENT_SEND)
    send = _start_key(master, _MAGIC_CLIENT_RECEIVE)
    return (receive + send).ljust(MSK_LENGTH, b"\0")
