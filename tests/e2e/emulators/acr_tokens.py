"""JWT-shaped tokens for the Azure emulators: HS256 with a per-run key
(harness/jwt.py).

Real Entra ID and ACR sign with RS256; the plugin never verifies signatures
(it only reads `exp` and `tid`), while the emulators verify each other's
tokens, so a forged or expired token is refused as the real services would.
"""
from harness import jwt


class Signer:
    def __init__(self):
        self.key = jwt.new_key()
        self.clock_skew = 0  # seconds past `exp` a token is still accepted

    def mint(self, claims, lifetime):
        """A token valid for `lifetime` seconds from now, with iat/nbf/exp set."""
        return jwt.mint(self.key, claims, lifetime, not_before=5)

    def verify(self, token):
        """The claims of a token this signer made and that has not expired, else None."""
        return jwt.verify(self.key, token, leeway=self.clock_skew)
