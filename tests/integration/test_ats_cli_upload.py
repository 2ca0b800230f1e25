"""`jams ats upload-resume` stores a version and its event, or says why not and stores nothing."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from services.ats_engine.tables import resume_versions
from services.cli import app
from tests.fixtures.resumes import docx_file, zip_bomb

pytestmark = pytest.mark.integration


def versions(database_url: str) -> int:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        count = conn.scalar(sa.select(sa.func.count()).select_from(resume_versions))
    engine.dispose()
    return int(count or 0)


def test_upload_resume_command(database_url: str, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAMS_DATABASE_URL", database_url)
    monkeypatch.setenv("JAMS_BLOB_DIR", str(tmp_path / "blobs"))
    candidate = str(uuid.uuid4())
    (tmp_path / "cv.docx").write_bytes(docx_file())
    (tmp_path / "bomb.docx").write_bytes(zip_bomb())
    runner = CliRunner()
    ok = runner.invoke(app, ["ats", "upload-resume", "--candidate", candidate,
                             str(tmp_path / "cv.docx")])
    assert ok.exit_code == 0 and "new version" in ok.output, ok.output
    again = runner.invoke(app, ["ats", "upload-resume", "--candidate", candidate,
                                str(tmp_path / "cv.docx")])
    assert "already stored" in again.output
    bad = runner.invoke(app, ["ats", "upload-resume", "--candidate", candidate,
                              str(tmp_path / "bomb.docx")])
    assert bad.exit_code == 2 and "zip bomb" in bad.output
    assert versions(database_url) == 1
