"""The S3 blob store signs with the configured credentials (JAMS_S3_ACCESS_KEY/SECRET_KEY)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.blobs import open_blob_store
from infra.blobs_s3 import S3BlobStore
from infra.settings import CommonSettings


def credentials_of(store: Any) -> tuple[str, str]:
    creds = store._client._request_signer._credentials
    return creds.access_key, creds.secret_key


def test_credentials_come_from_the_settings(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.setenv("JAMS_S3_ACCESS_KEY", "prod-key")
    monkeypatch.setenv("JAMS_S3_SECRET_KEY", "prod-secret")
    settings = CommonSettings(data_dir=tmp_path)
    store = open_blob_store(tmp_path, "http://127.0.0.1:1", "b",
                            access_key=settings.s3_access_key,
                            secret_key=settings.s3_secret_key.get_secret_value())
    assert isinstance(store, S3BlobStore)
    assert credentials_of(store) == ("prod-key", "prod-secret")
    assert "prod-secret" not in repr(settings)


def test_the_dev_servers_credentials_are_the_default(tmp_path: Path) -> None:
    store = open_blob_store(tmp_path, "http://127.0.0.1:1", "b")
    assert credentials_of(store) == ("jams", "jams-secret")
