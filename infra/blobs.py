"""Blob store for resume files and evidence: a local folder here, S3-compatible in production."""

from __future__ import annotations

import asyncio
import hashlib
import re
from pathlib import Path
from typing import Protocol

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,500}$")


class InvalidBlobKey(ValueError):
    """A key that could escape the store or is not portable."""


class BlobStore(Protocol):
    async def put(self, key: str, content: bytes) -> str:
        """Store `content` under `key`; returns its SHA-256."""
        ...

    async def get(self, key: str) -> bytes: ...

    async def exists(self, key: str) -> bool: ...


class LocalBlobStore:
    """Files under one root folder, written atomically (temp file, then rename)."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def _path(self, key: str) -> Path:
        if not _SAFE_KEY.match(key) or ".." in key.split("/"):
            raise InvalidBlobKey(f"invalid blob key {key!r}")
        return self._root / key

    async def put(self, key: str, content: bytes) -> str:
        path = self._path(key)
        await asyncio.to_thread(_write_atomically, path, content)
        return hashlib.sha256(content).hexdigest()

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(content)
    temporary.replace(path)
