"""The server half of Cognito's SRP-6a password check (USER_SRP_AUTH → PASSWORD_VERIFIER).

The sandbox knows each user's password, so it derives the verifier on the fly and checks the
client's PASSWORD_CLAIM_SIGNATURE for real: a wrong password fails like it does on AWS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

# The 3072-bit group of RFC 5054 that Cognito uses, generator 2.
N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G = 2
_INFO = b"Caldera Derived Key\x01"


def _padded_hex(value: int | str) -> str:
    """Hex with an even number of digits and a leading 00 when the top bit is set (a positive number)."""
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def _hash_hex(hex_text: str) -> int:
    return int(hashlib.sha256(bytes.fromhex(hex_text)).hexdigest(), 16)


K = _hash_hex("00" + f"{N:X}" + "0" + f"{G:x}")


def _x(pool_suffix: str, user_id: str, password: str, salt_hex: str) -> int:
    inner = hashlib.sha256(f"{pool_suffix}{user_id}:{password}".encode()).hexdigest()
    return _hash_hex(_padded_hex(salt_hex) + inner)


@dataclass(frozen=True)
class SrpChallenge:
    """What the server keeps between InitiateAuth and the PASSWORD_VERIFIER answer."""

    user_id: str
    salt_hex: str
    big_b: int
    small_b: int = field(repr=False)
    verifier: int = field(repr=False)
    secret_block: str

    @property
    def b_hex(self) -> str:
        return f"{self.big_b:x}"


def start(pool_suffix: str, user_id: str, password: str) -> SrpChallenge:
    """Pick a salt and the server's ephemeral key for one sign-in."""
    salt_hex = secrets.token_hex(16)
    verifier = pow(G, _x(pool_suffix, user_id, password, salt_hex), N)
    while True:
        small_b = secrets.randbelow(N - 2) + 1
        big_b = (K * verifier + pow(G, small_b, N)) % N
        if big_b:
            break
    block = base64.b64encode(secrets.token_bytes(96)).decode("ascii")
    return SrpChallenge(user_id, salt_hex, big_b, small_b, verifier, block)


def signature_matches(
    challenge: SrpChallenge, pool_suffix: str, srp_a_hex: str, timestamp: str, signature_b64: str
) -> bool:
    """Recompute the password claim signature the client should have sent."""
    try:
        big_a = int(srp_a_hex, 16)
        claimed = base64.b64decode(signature_b64, validate=True)
        block = base64.b64decode(challenge.secret_block)
    except ValueError:
        return False
    if big_a % N == 0:
        return False
    u = _hash_hex(_padded_hex(big_a) + _padded_hex(challenge.big_b))
    if u == 0:
        return False
    shared = pow(big_a * pow(challenge.verifier, u, N), challenge.small_b, N)
    prk = hmac.new(bytes.fromhex(_padded_hex(u)), bytes.fromhex(_padded_hex(shared)), hashlib.sha256).digest()
    key = hmac.new(prk, _INFO, hashlib.sha256).digest()[:16]
    message = pool_suffix.encode() + challenge.user_id.encode() + block + timestamp.encode()
    expected = hmac.new(key, message, hashlib.sha256).digest()
    return hmac.compare_digest(expected, claimed)
