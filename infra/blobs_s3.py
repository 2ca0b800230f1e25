"""The blob store on an S3-compatible object store (AWS S3, MinIO, moto in development)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.blobs import check_folder, check_key

_MISSING = {"404", "NoSuchKey", "NotFound"}
_DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes


class S3BlobStore:
    """Objects in one bucket; botocore is synchronous, so calls run in worker threads.

    An S3 PUT is atomic (a reader sees the old object or the new one, never a part), which
    is the same promise the folder adapter keeps with its rename.
    """

    def __init__(self, endpoint_url: str | None, bucket: str, region: str = "us-east-1",
                 access_key: str = "jams", secret_key: str = "jams-secret") -> None:
        self._bucket = bucket
        self._client: Any = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region,
            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
            config=Config(retries={"max_attempts": 3, "mode": "standard"},
                          s3={"addressing_style": "path"}),
        )

    async def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (development and tests)."""
        try:
            await asyncio.to_thread(self._client.head_bucket, Bucket=self._bucket)
        except ClientError:
            await asyncio.to_thread(self._client.create_bucket, Bucket=self._bucket)

    async def put(self, key: str, content: bytes) -> str:
        check_key(key)
        digest = hashlib.sha256(content).hexdigest()
        await asyncio.to_thread(self._client.put_object, Bucket=self._bucket, Key=key,
                                Body=content, Metadata={"sha256": digest})
        return digest

    async def get(self, key: str) -> bytes:
        check_key(key)
        try:
            response = await asyncio.to_thread(self._client.get_object, Bucket=self._bucket,
                                               Key=key)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                raise FileNotFoundError(key) from None
            raise
        body: bytes = await asyncio.to_thread(response["Body"].read)
        return body

    async def delete(self, key: str) -> None:
        """Every version and delete marker of `key`: on a versioned bucket a plain DELETE only
        hides the object behind a marker, and its content stays readable by version id."""
        check_key(key)
        # The prefix also matches longer keys ("a.txt" and "a.txt.bak"): only this one.
        await asyncio.to_thread(self._delete_versions, key, lambda listed: listed == key)

    async def delete_folder(self, folder: str) -> None:
        check_folder(folder)
        await asyncio.to_thread(self._delete_versions, folder, lambda listed: True)

    def _delete_versions(self, prefix: str, wanted: Callable[[str], bool]) -> None:
        # Versions of an unversioned bucket are listed too (version id "null").
        pages = self._client.get_paginator("list_object_versions").paginate(
            Bucket=self._bucket, Prefix=prefix)
        versions = [{"Key": item["Key"], "VersionId": item["VersionId"]}
                    for page in pages for listing in ("Versions", "DeleteMarkers")
                    for item in page.get(listing, []) if wanted(item["Key"])]
        for start in range(0, len(versions), _DELETE_BATCH):
            response = self._client.delete_objects(Bucket=self._bucket, Delete={
                "Objects": versions[start:start + _DELETE_BATCH], "Quiet": True})
            if errors := response.get("Errors"):
                raise OSError(f"S3 kept {len(errors)} version(s) under {prefix!r}: "
                              f"{errors[0].get('Code')} {errors[0].get('Message')}")

    async def exists(self, key: str) -> bool:
        check_key(key)
        try:
            await asyncio.to_thread(self._client.head_object, Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return False
            raise
        return True


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
