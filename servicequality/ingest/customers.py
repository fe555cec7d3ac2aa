"""Customer identifiers made pseudonymous at import: a keyed hash (HMAC-SHA256) of the export's own
customer id, under a key kept outside the store. The store keeps only the hash, so it can link a
customer's tickets, survey responses and visits without holding who they are; nobody who has only
the store (a copy, a snapshot, a Parquet history) can test a guessed e-mail against it.

The key: $SQ_CUSTOMER_KEY when set (any text; the same key must be used for every import into one
store, or the same customer gets different keys), else the file `<database>.customer-key` beside
the store, created with 32 random bytes on the first import that needs it (mode 0600). Back it up
with the store: without it, later imports cannot link to earlier customers.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_ENV = "SQ_CUSTOMER_KEY"
KEY_SUFFIX = ".customer-key"
DIGITS = 20  # hex digits kept: 80 bits, no collision among billions of customers


class CustomerKeyError(RuntimeError):
    pass


def key_file(db: Path | str) -> Path:
    db = Path(db)
    return db.with_name(db.name + KEY_SUFFIX)


def load_key(db: Path | str) -> bytes:
    """The hashing key for imports into `db`: $SQ_CUSTOMER_KEY, else the key file beside it (made on
    first use)."""
    if text := os.environ.get(KEY_ENV):
        return text.encode()
    path = key_file(db)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another import made it meanwhile: use theirs
            return path.read_bytes()
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except OSError as exc:
        raise CustomerKeyError(f"cannot read the customer key {path.name}: {exc.strerror}") from None
    if len(data) < 16:
        raise CustomerKeyError(f"the customer key {path.name} is shorter than 16 bytes: restore it from the backup")
    return data


def pseudonym(customer_id: str, key: bytes) -> str:
    """The stored customer key of an export's customer id: HMAC-SHA256 of the id (trimmed, and
    lower-cased, so that 'Ann@x.com' and 'ann@x.com ' are one customer) under `key`, in hex."""
    normal = " ".join(str(customer_id).split()).casefold()
    return hmac.new(key, normal.encode(), hashlib.sha256).hexdigest()[:DIGITS]
