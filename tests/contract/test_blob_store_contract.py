"""One contract for every blob store adapter: the folder (embedded) and S3 (distributed, here
against the dev S3 server, on a plain bucket and on a versioned one)."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.blobs import BlobStore, InvalidBlobKey, LocalBlobStore, open_blob_store
from infra.blobs_s3 import S3BlobStore
from tests.servers import server_url


def s3_client() -> Any:
    """A client of its own, to look under the adapter: bucket settings, object versions."""
    return boto3.client("s3", endpoint_url=server_url("JAMS_S3_URL"), region_name="us-east-1",
                        aws_access_key_id="jams", aws_secret_access_key="jams-secret")


@pytest.fixture(params=["folder", pytest.param("s3", marks=pytest.mark.integration),
                        pytest.param("s3-versioned", marks=pytest.mark.integration)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "folder":
        yield LocalBlobStore(tmp_path / "blobs")
        return
    bucket = f"contract-{uuid.uuid4().hex[:12]}"
    s3 = S3BlobStore(server_url("JAMS_S3_URL"), bucket)
    await s3.ensure_bucket()
    if request.param == "s3-versioned":
        s3_client().put_bucket_versioning(Bucket=bucket,
                                          VersioningConfiguration={"Status": "Enabled"})
    yield s3


def versions_left(store: BlobStore, prefix: str = "") -> list[str]:
    """What the store still holds, earlier versions and delete markers included."""
    if isinstance(store, LocalBlobStore):
        root = store._root  # the folder itself is what is checked
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
                      and str(p.relative_to(root)).startswith(prefix))
    assert isinstance(store, S3BlobStore)
    listed = s3_client().list_object_versions(Bucket=store._bucket,
                                              Prefix=prefix)
    return sorted(f"{item['Key']}@{item['VersionId']}"
                  for kind in ("Versions", "DeleteMarkers") for item in listed.get(kind, []))


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
    with pytest.raises(InvalidBlobKey):
        await store.delete(key)


@pytest.mark.parametrize("folder", ["resumes/c1", "../resumes/", "/", "a/../../b/"])
async def test_a_folder_to_delete_must_be_a_safe_prefix_ending_in_a_slash(
    store: BlobStore, folder: str
) -> None:
    with pytest.raises(InvalidBlobKey):
        await store.delete_folder(folder)


async def test_delete_leaves_nothing_of_the_key_not_even_an_earlier_version(
    store: BlobStore
) -> None:
    await store.put("resumes/c1/v1.txt", b"first")
    await store.put("resumes/c1/v1.txt", b"second")
    await store.put("resumes/c1/v1.txt.bak", b"a longer key")
    await store.delete("resumes/c1/v1.txt")
    assert not await store.exists("resumes/c1/v1.txt")
    with pytest.raises(FileNotFoundError):
        await store.get("resumes/c1/v1.txt")
    assert [v.split("@")[0] for v in versions_left(store, "resumes/c1/")] == [
        "resumes/c1/v1.txt.bak"]
    await store.delete("resumes/c1/v1.txt")  # nothing left to delete is no error
    await store.delete("resumes/nobody/v0.txt")


async def test_delete_folder_removes_every_key_and_version_under_it_only(
    store: BlobStore
) -> None:
    for key in ("resumes/c1/v1.pdf", "resumes/c1/v2.txt", "resumes/c1/v2.txt",
                "resumes/c1/deeper/v3.txt", "resumes/c10/v1.txt", "resumes/c2/v1.txt"):
        await store.put(key, b"resume " + key.encode())
    await store.delete("resumes/c1/v1.pdf")  # a marker on a versioned bucket, then nothing
    await store.delete_folder("resumes/c1/")
    assert versions_left(store, "resumes/c1/") == []
    assert [v.split("@")[0] for v in versions_left(store, "resumes/")] == [
        "resumes/c10/v1.txt", "resumes/c2/v1.txt"]
    await store.delete_folder("resumes/c1/")  # twice: nothing to do


async def test_concurrent_writers_of_one_key_leave_one_whole_version(store: BlobStore) -> None:
    versions = [bytes([n]) * 50_000 for n in range(8)]
    await asyncio.gather(*(store.put("race/key", v) for v in versions))
    assert await store.get("race/key") in versions


def test_factory_picks_s3_only_when_an_endpoint_is_set(tmp_path: Path) -> None:
    assert isinstance(open_blob_store(tmp_path), LocalBlobStore)
    assert isinstance(open_blob_store(tmp_path, "http://127.0.0.1:1", "b"), S3BlobStore)
