"""The token vault: every stored secret is Fernet ciphertext; only this module decrypts.

Keys come from TUBEFLEET_SECRET_KEY (comma separated, newest first) or from a
key file under the data folder (created on first use, mode 0600, one key per
line, newest first). Every process re-reads the key file when it changes, so a
rotation reaches running processes at their next encrypt or decrypt.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select, update

from core import db
from core.logging import register_secret
from core.settings import get_settings


class VaultError(RuntimeError):
    """A secret could not be decrypted: the key that encrypted it is not configured."""


def _secret_columns() -> list[tuple[Any, str]]:
    """Every column that holds ciphertext; rotation re-encrypts exactly these."""
    from models import Channel, OAuthState, Project, UploadJob

    return [
        (Project, "client_secret_enc"),
        (Channel, "refresh_token_enc"),
        (Channel, "access_token_enc"),
        (OAuthState, "code_verifier_enc"),
        (UploadJob, "session_uri_enc"),
    ]


@dataclass(frozen=True)
class _KeySource:
    keys: tuple[bytes, ...]
    from_env: bool
    file_stamp: tuple[int, int] | None  # (mtime_ns, size) of the key file when read


_lock = threading.RLock()
_source: _KeySource | None = None
_fernet: MultiFernet | None = None


def _key_file() -> Path:
    return get_settings().key_file


def _read_key_file(path: Path) -> list[bytes]:
    keys = [
        line.split()[-1].encode()
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    if not keys:
        raise VaultError(f"the key file {path} holds no key")
    return keys


def _write_key_file(path: Path, keys: list[bytes]) -> None:
    """Replace the key file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(
            "# TubeFleet Fernet keys, newest first. Losing this file loses every stored secret.\n"
        )
        for key in keys:
            fh.write(key.decode() + "\n")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size


def _load() -> _KeySource:
    env = get_settings().secret_key.get_secret_value().strip()
    if env:
        keys = tuple(k.strip().encode() for k in env.split(",") if k.strip())
        return _KeySource(keys, True, None)
    path = _key_file()
    if _stamp(path) is None:
        with _lock:  # first run: create the key file once
            if _stamp(path) is None:
                _write_key_file(path, [Fernet.generate_key()])
    return _KeySource(tuple(_read_key_file(path)), False, _stamp(path))


def _current() -> MultiFernet:
    """The MultiFernet for the configured keys, reloaded when the key file changed."""
    global _source, _fernet
    source = _source
    if source is None or (not source.from_env and _stamp(_key_file()) != source.file_stamp):
        with _lock:
            source = _load()
            try:
                _fernet = MultiFernet([Fernet(k) for k in source.keys])
            except ValueError as exc:
                raise VaultError(f"a configured secret key is not a Fernet key: {exc}") from None
            _source = source
    assert _fernet is not None
    return _fernet


def forget_keys() -> None:
    """Drop the cached keys (tests and settings changes)."""
    global _source, _fernet
    with _lock:
        _source, _fernet = None, None


def encrypt(plain: str) -> str:
    register_secret(plain)
    return _current().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        plain = _current().decrypt(token.encode()).decode()
    except InvalidToken:
        raise VaultError(
            "a stored secret cannot be decrypted with the configured keys "
            "(was the key file lost or TUBEFLEET_SECRET_KEY changed?)"
        ) from None
    register_secret(plain)
    return plain


def decrypt_optional(token: str | None) -> str | None:
    return decrypt(token) if token else None


@dataclass(frozen=True)
class RotationReport:
    re_encrypted: int
    keys_retired: int
    key_file: str | None
    # What is left of the old ciphertexts in the database's files (None: not SQLite).
    scrub: db.ScrubReport | None = None


# Passes over the secret columns before giving up on rows that other processes keep
# rewriting with an old key (each pass re-encrypts what the one before could not).
_MAX_PASSES = 5


def _re_encrypt_pass(fernet: MultiFernet, newest: Fernet) -> tuple[int, int]:
    """Re-encrypt every secret not yet under the newest key; (rewritten, left behind)."""
    rewritten = left = 0
    for model, column in _secret_columns():
        table = model.__table__
        col = table.c[column]
        with db.read_session() as s:
            rows = s.execute(select(table.c.id, col).where(col.is_not(None))).all()
        for row_id, token in rows:
            try:
                newest.decrypt(token.encode())
                continue  # already under the newest key
            except InvalidToken:
                pass
            try:
                new_token = fernet.rotate(token.encode()).decode()
            except InvalidToken:
                raise VaultError(
                    f"{table.name}.{column} of row {row_id} cannot be decrypted "
                    "with any configured key; nothing was retired"
                ) from None
            with db.session() as s:
                # Only if unchanged meanwhile; a row changed meanwhile is checked again by
                # the next pass (its writer may still have held the old key).
                done = s.execute(
                    update(table)
                    .where(table.c.id == row_id, col == token)
                    .values({column: new_token})
                )
            if done.rowcount:  # type: ignore[attr-defined]
                rewritten += 1
            else:
                left += 1
    return rewritten, left


def rotate(*, scrub_wait_seconds: float = 60.0) -> RotationReport:
    """Add a new key, re-encrypt every secret with it, retire the old keys, then scrub the
    database files so no old ciphertext stays readable in them.

    With keys from TUBEFLEET_SECRET_KEY the file cannot be rewritten: put the new
    key first in the variable, restart, then run this to re-encrypt; afterwards
    the old keys can be removed from the variable.
    """
    source = _load()
    path = _key_file()
    if not source.from_env:
        # Phase 1: the new key becomes primary while the old ones still decrypt, so
        # processes that write meanwhile already use it.
        _write_key_file(path, [Fernet.generate_key(), *source.keys])
    forget_keys()
    fernet = _current()
    newest = Fernet(_load().keys[0])
    # Phase 2: re-encrypt every secret column, row by row, in short transactions, until a
    # pass finds every value under the newest key (a process that loaded the keys just
    # before phase 1 may still write one with an old key).
    count = 0
    for _ in range(_MAX_PASSES):
        rewritten, left = _re_encrypt_pass(fernet, newest)
        count += rewritten
        if not rewritten and not left:
            break
    else:
        raise VaultError(
            "secrets kept being rewritten with an old key while rotating; "
            "nothing was retired (stop the other processes and run it again)"
        )
    retired = 0
    if not source.from_env:
        # Phase 3: keep only the new key.
        keys = _read_key_file(path)
        retired = len(keys) - 1
        _write_key_file(path, [keys[0]])
        forget_keys()
    # Phase 4: the replaced ciphertexts still sit in the database file's free space and in
    # older page versions in the WAL; overwrite them.
    scrub = db.scrub_sqlite(wait_seconds=scrub_wait_seconds)
    return RotationReport(
        re_encrypted=count,
        keys_retired=retired,
        key_file=None if source.from_env else str(path),
        scrub=scrub,
    )
