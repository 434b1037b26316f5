"""Sealing secret ballots while their round is open, so the database never links a choice to
its voter: not its tables, not its dumps, not its write-ahead log, not its replicas.

When a secret round opens, a random key is made for it and kept only in memory: the
"ballot-keys" cache, which is Redis when REDIS_URL is set (shared by every worker, and run
without persistence) and this process's memory otherwise (`make run`). A ballot is written, in
the transaction that records who voted, only as a sealed blob: AES-GCM over the choice padded to
one fixed size, so every blob looks alike. At close the blobs are opened with the key, the
choices written as plain ballots in one batch in random order, the blobs deleted and the key
forgotten. What the log then holds, voter by voter, is ciphertext under a key that no longer
exists anywhere.

If the key is lost while the round is open (the server, or Redis, restarted), the sealed ballots
cannot be opened by anyone: the round is void, the room is told, and the facilitator can hold the
vote again. A ballot is never silently dropped or changed.
"""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.cache import caches

# Every sealed ballot is exactly this long, whatever it holds, so its size says nothing. A ranked
# ballot of the largest allowed election (30 candidates) is well under it.
PADDED_SIZE = 1024
NONCE_SIZE = 12


class KeyLost(Exception):
    """The round's key is gone (a restart): its sealed ballots can no longer be opened."""


def _cache():
    return caches["ballot-keys"]


def _name(decision_id: int) -> str:
    return f"ballot-key:{decision_id}"


def make_key(decision_id: int) -> None:
    """A new key for a secret round that is opening (kept until the round is closed)."""
    _cache().set(_name(decision_id), AESGCM.generate_key(bit_length=256), timeout=None)


def ensure_key(decision_id: int) -> None:
    """A key for a round that has none yet and no sealed ballot: one opened by another process
    (the demo command) or before a restart nobody had voted through. Workers racing here agree
    on one key (`add` keeps the first)."""
    _cache().add(_name(decision_id), AESGCM.generate_key(bit_length=256), timeout=None)


def has_key(decision_id: int) -> bool:
    return _cache().get(_name(decision_id)) is not None


def forget(decision_id: int) -> None:
    _cache().delete(_name(decision_id))


def _key(decision_id: int) -> AESGCM:
    key = _cache().get(_name(decision_id))
    if key is None:
        raise KeyLost(decision_id)
    return AESGCM(key)


def _associated(decision_id: int) -> bytes:
    # Binds a blob to its round: one copied into another round does not open.
    return f"decision:{decision_id}".encode()


def seal(decision_id: int, choice: dict[str, Any]) -> bytes:
    return seal_all(decision_id, [choice])[0]


def seal_all(decision_id: int, choices: list[dict[str, Any]]) -> list[bytes]:
    """Each choice sealed under the round's key (read once: a burst's batch is one cache read)."""
    key = _key(decision_id)
    associated = _associated(decision_id)
    blobs = []
    for choice in choices:
        plain = json.dumps(choice, separators=(",", ":"), sort_keys=True).encode()
        if len(plain) >= PADDED_SIZE:
            raise ValueError("ballot too large to seal")
        padded = plain + b" " * (PADDED_SIZE - len(plain))
        nonce = os.urandom(NONCE_SIZE)
        blobs.append(nonce + key.encrypt(nonce, padded, associated))
    return blobs


def open_all(decision_id: int, blobs: list[bytes | memoryview]) -> list[dict[str, Any]]:
    """The choices inside a round's sealed ballots (raises KeyLost if the key is gone). A blob
    comes back from PostgreSQL as a memoryview, from SQLite as bytes."""
    if not blobs:
        return []
    key = _key(decision_id)
    choices = []
    for blob in blobs:
        blob = bytes(blob)
        try:
            plain = key.decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], _associated(decision_id))
        except InvalidTag:
            raise KeyLost(decision_id) from None
        choices.append(json.loads(plain.rstrip(b" ")))
    return choices
