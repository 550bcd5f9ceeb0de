"""JWT-shaped tokens for the Azure emulators: HS256 with a per-run key.

Real Entra ID and ACR sign with RS256; the plugin never verifies signatures
(it only reads `exp` and `tid`), while the emulators verify each other's
tokens, so a forged or expired token is refused as the real services would.
"""
import base64
import hashlib
import hmac
import json
import secrets
import time


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self):
        self.key = secrets.token_bytes(32)
        self.clock_skew = 0  # seconds past `exp` a token is still accepted

    def mint(self, claims, lifetime):
        """A token valid for `lifetime` seconds from now, with iat/nbf/exp set."""
        now = int(time.time())
        body = dict(claims, iat=now, nbf=now - 5, exp=now + lifetime,
                    jti=secrets.token_hex(8))
        header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = b64url(json.dumps(body).encode())
        signature = hmac.new(self.key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{b64url(signature)}"

    def verify(self, token):
        """The claims of a token this signer made and that has not expired, else None."""
        try:
            header, payload, signature = token.split(".")
            expected = hmac.new(self.key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, b64url_decode(signature)):
                return None
            claims = json.loads(b64url_decode(payload))
        except (ValueError, TypeError):
            return None
        now = time.time()
        if claims.get("exp", 0) + self.clock_skew <= now or claims.get("nbf", 0) > now:
            return None
        return claims
