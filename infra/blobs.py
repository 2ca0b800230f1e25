"""Blob store for resume files and evidence: a local folder here, S3-compatible in production."""

from __future__ import annotations

import asyncio
import hashlib
import re
import shutil
import uuid
from pathlib import Path
from typing import Protocol

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,500}$")


class InvalidBlobKey(ValueError):
    """A key that could escape the store or is not portable."""


class BlobStore(Protocol):
    """Immutable-by-convention files by key; one contract suite runs against every adapter.

    `delete` is for erasure: afterwards nothing of the key can be read back, from this store
    or from any earlier version it keeps."""

    async def put(self, key: str, content: bytes) -> str:
        """Store `content` under `key` atomically; returns its SHA-256."""
        ...

    async def get(self, key: str) -> bytes:
        """The content under `key`; FileNotFoundError if there is none."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove `key` and every version of it; nothing to do when there is none."""
        ...

    async def delete_folder(self, folder: str) -> None:
        """`delete` for every key under `folder` ("resumes/<candidate>/"), those no row names
        included (a file stored just before its announcement failed)."""
        ...


def check_key(key: str) -> None:
    """InvalidBlobKey unless `key` is a safe, portable relative key."""
    if not _SAFE_KEY.match(key) or ".." in key.split("/"):
        raise InvalidBlobKey(f"invalid blob key {key!r}")


def check_folder(folder: str) -> None:
    """InvalidBlobKey unless `folder` is a safe key prefix ending in "/"."""
    if not folder.endswith("/"):
        raise InvalidBlobKey(f"a folder ends with '/': {folder!r}")
    check_key(folder.removesuffix("/"))


def open_blob_store(blob_dir: Path, s3_url: str | None = None,
                    s3_bucket: str = "jams-blobs", *, access_key: str = "jams",
                    secret_key: str = "jams-secret") -> BlobStore:
    """The folder store, or the S3 store when an S3 endpoint is configured."""
    if s3_url:
        from infra.blobs_s3 import S3BlobStore

        return S3BlobStore(s3_url, s3_bucket, access_key=access_key, secret_key=secret_key)
    return LocalBlobStore(blob_dir)


class LocalBlobStore:
    """Files under one root folder, written atomically (temp file, then rename)."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def _path(self, key: str) -> Path:
        check_key(key)
        return self._root / key

    async def put(self, key: str, content: bytes) -> str:
        path = self._path(key)
        await asyncio.to_thread(_write_atomically, path, content)
        return hashlib.sha256(content).hexdigest()

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def delete_folder(self, folder: str) -> None:
        check_folder(folder)
        await asyncio.to_thread(shutil.rmtree, self._root / folder, ignore_errors=True)


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A unique temporary name: two writers of one key must not share a half-written file.
    temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
    temporary.write_bytes(content)
    temporary.replace(path)
