"""The blob store on an S3-compatible object store (AWS S3, MinIO, moto in development)."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.blobs import check_key

_MISSING = {"404", "NoSuchKey", "NotFound"}


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
