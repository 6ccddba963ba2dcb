"""Content keys: which store holds a set of inputs, decided by what the files contain.

A store's key is a SHA-256 over the format version, the ontology, and every input's role (its table
name for CSV, its syntax for RDF) and content. Hashing a big file costs about a second per gigabyte,
so digests are remembered per file beside the cache (path, size, modification time and inode): an
unchanged file is not read again, and a changed one always is.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

__all__ = ["cache_root", "content_key", "file_digest"]

#: Bump when the layout of a store or the conversion rules change: old stores are then rebuilt.
STORE_FORMAT = "pdkg-store-12"


def cache_root() -> Path:
    """Where content-keyed stores live: ``$KG_CACHE``, else ``$XDG_CACHE_HOME/pdkg``, else ``~/.cache/pdkg``."""
    if os.environ.get("KG_CACHE"):
        return Path(os.environ["KG_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pdkg"


def _memo_path() -> Path:
    return cache_root() / "digests.json"


def _read_memo() -> dict:
    try:
        return json.loads(_memo_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_memo(memo: dict) -> None:
    path = _memo_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(memo), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that cannot be written only costs hashing again


def file_digest(path: Path, memo: dict | None = None) -> str:
    """The SHA-256 of a file's content, reusing ``memo`` when the file's size, time and inode match."""
    status = path.stat()
    stamp = [status.st_size, status.st_mtime_ns, status.st_ino]
    name = str(path.resolve())
    if memo is not None and memo.get(name, [None])[:3] == stamp:
        return memo[name][3]
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    value = digest.hexdigest()
    if memo is not None:
        memo[name] = [*stamp, value]
    return value


def content_key(inputs: Sequence[tuple[str, Path]], ontology: Path) -> str:
    """The key of a store built from ``inputs`` (pairs of role and file) with ``ontology``."""
    memo = _read_memo()
    before = dict(memo)
    digest = hashlib.sha256(STORE_FORMAT.encode())
    for role, path in [("ontology", ontology), *inputs]:
        digest.update(f"\0{role}\0{file_digest(path, memo)}".encode())
    if memo != before:
        _write_memo(memo)
    return digest.hexdigest()[:40]
