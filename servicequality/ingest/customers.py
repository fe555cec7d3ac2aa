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
import tempfile
from pathlib import Path

KEY_ENV = "SQ_CUSTOMER_KEY"
KEY_SUFFIX = ".customer-key"
DIGITS = 20  # hex digits kept: 80 bits, no collision among billions of customers


class CustomerKeyError(RuntimeError):
    pass


def key_file(db: Path | str) -> Path:
    db = Path(db)
    return db.with_name(db.name + KEY_SUFFIX)


MIN_KEY_BYTES = 16


def load_key(db: Path | str) -> bytes:
    """The hashing key for imports into `db`: $SQ_CUSTOMER_KEY, else the key file beside it. The file
    is made on first use: written whole to a temporary file (mode 0600) and then linked to its name,
    so a concurrent import never reads half a key; an existing one is read as it is."""
    if (text := os.environ.get(KEY_ENV)) is not None:
        if len(text.encode()) < MIN_KEY_BYTES:
            raise CustomerKeyError(f"${KEY_ENV} must be at least {MIN_KEY_BYTES} bytes long")
        return text.encode()
    path = key_file(db)
    if not path.exists():
        _create_key(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CustomerKeyError(f"cannot read the customer key {path.name}: {exc.strerror}") from None
    if len(data) < MIN_KEY_BYTES:
        raise CustomerKeyError(
            f"the customer key {path.name} is shorter than {MIN_KEY_BYTES} bytes: restore it from the backup"
        )
    return data


def _create_key(path: Path) -> None:
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)  # fails if another import made it first: theirs is kept
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)


def pseudonym(customer_id: str, key: bytes) -> str:
    """The stored customer key of an export's customer id: HMAC-SHA256 of the id (trimmed, and
    lower-cased, so that 'Ann@x.com' and 'ann@x.com ' are one customer) under `key`, in hex."""
    normal = " ".join(str(customer_id).split()).casefold()
    return hmac.new(key, normal.encode(), hashlib.sha256).hexdigest()[:DIGITS]


def fingerprint(key: bytes) -> str:
    """What the store records of its key (store_keys): an HMAC of a fixed text under it, so that a
    different key is noticed without the key itself ever being written into the store."""
    return hmac.new(key, b"service-quality store key fingerprint", hashlib.sha256).hexdigest()[:16]
