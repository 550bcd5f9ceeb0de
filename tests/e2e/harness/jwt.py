"""HS256 JWTs for the emulators (Entra ID and ACR, Docker Hub, Quay), signed
with a key each emulator makes for its run.

The real services sign RS256 (harness/token_server.py does that, with
openssl); regscan never checks an emulator token's signature, it reads the
claims (exp, tid, ...). The emulators check their own tokens, so a forged,
altered or expired token is refused as the real service would refuse it.
"""
import base64
import hashlib
import hmac
import json
import secrets
import time

HEADER = {"alg": "HS256", "typ": "JWT"}


def b64url(data):
    """base64url without padding, as JWTs (and Quay's page tokens) write it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key():
    return secrets.token_bytes(32)


def mint(key, claims, lifetime, not_before=10):
    """A token valid for `lifetime` seconds from now: `claims` plus iat, nbf
    (`not_before` seconds ago), exp and a random jti."""
    now = int(time.time())
    body = dict(claims, iat=now, nbf=now - not_before, exp=now + lifetime, jti=secrets.token_hex(8))
    signing_input = b64url(json.dumps(HEADER).encode()) + "." + b64url(json.dumps(body).encode())
    return signing_input + "." + b64url(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())


def verify(key, token, leeway=0):
    """The claims of a token signed with `key` that is valid now (nbf passed,
    exp + `leeway` seconds not reached), else None."""
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, b64url_decode(signature)):
            return None
        claims = json.loads(b64url_decode(payload))
    except (ValueError, TypeError, AttributeError):
        return None
    now = time.time()
    if not isinstance(claims, dict) or claims.get("exp", 0) + leeway <= now or claims.get("nbf", 0) > now:
        return None
    return claims
