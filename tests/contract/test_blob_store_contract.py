"""One contract for every blob store adapter: the folder (embedded) and S3 (distributed, here
against the dev S3 server)."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from infra.blobs import BlobStore, InvalidBlobKey, LocalBlobStore, open_blob_store
from infra.blobs_s3 import S3BlobStore
from tests.servers import server_url


@pytest.fixture(params=["folder", pytest.param("s3", marks=pytest.mark.integration)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "folder":
        yield LocalBlobStore(tmp_path / "blobs")
        return
    s3 = S3BlobStore(server_url("JAMS_S3_URL"), f"contract-{uuid.uuid4().hex[:12]}")
    await s3.ensure_bucket()
    yield s3


async def test_put_then_get_returns_the_bytes_and_their_sha256(store: BlobStore) -> None:
    content = b"%PDF-1.7 resume \x00\xff" * 100
    digest = await store.put("resumes/c1/v1.pdf", content)
    assert digest == hashlib.sha256(content).hexdigest()
    assert await store.get("resumes/c1/v1.pdf") == content
    assert await store.exists("resumes/c1/v1.pdf")


async def test_missing_key_does_not_exist_and_get_raises(store: BlobStore) -> None:
    assert not await store.exists("resumes/nobody/v0.txt")
    with pytest.raises(FileNotFoundError):
        await store.get("resumes/nobody/v0.txt")


async def test_put_replaces_and_empty_content_is_allowed(store: BlobStore) -> None:
    await store.put("k/a.txt", b"first")
    await store.put("k/a.txt", b"second")
    assert await store.get("k/a.txt") == b"second"
    await store.put("k/empty", b"")
    assert await store.get("k/empty") == b""


@pytest.mark.parametrize("key", ["../escape", "/abs", "a/../../b", "", ".hidden", "a b",
                                 "x" * 600, "ünïcode"])
async def test_unsafe_keys_are_refused_and_nothing_is_written(
    store: BlobStore, key: str
) -> None:
    with pytest.raises(InvalidBlobKey):
        await store.put(key, b"x")
    with pytest.raises(InvalidBlobKey):
        await store.get(key)
    with pytest.raises(InvalidBlobKey):
        await store.exists(key)


async def test_concurrent_writers_of_one_key_leave_one_whole_version(store: BlobStore) -> None:
    versions = [bytes([n]) * 50_000 for n in range(8)]
    await asyncio.gather(*(store.put("race/key", v) for v in versions))
    assert await store.get("race/key") in versions


def test_factory_picks_s3_only_when_an_endpoint_is_set(tmp_path: Path) -> None:
    assert isinstance(open_blob_store(tmp_path), LocalBlobStore)
    assert isinstance(open_blob_store(tmp_path, "http://127.0.0.1:1", "b"), S3BlobStore)
