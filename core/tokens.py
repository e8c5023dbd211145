"""Secret tokens shown once and kept only as their SHA-256: the 大屏's display tokens, the
API keys of partner systems (Open311). One rule for making, keeping and reading them."""

import hashlib
import secrets

# token_urlsafe(32): 43 characters of A–Z a–z 0–9 - _ (256 bits). Anything longer, or with
# other characters, is not a token we made and is refused before it is hashed.
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 64
_TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def could_be_ours(token: str) -> bool:
    """Shaped as the tokens we make (checked before anything is looked up)."""
    return 0 < len(token or "") <= MAX_TOKEN_LENGTH and set(token) <= _TOKEN_CHARACTERS
