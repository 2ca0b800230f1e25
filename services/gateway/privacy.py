"""A candidate's data: everything the gateway can reach, as one archive; and its erasure."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fastapi.encoders import jsonable_encoder
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.auth import Principal
from infra.blobs import BlobStore
from infra.portal_sessions import session_folder
from infra.resume_files import resume_folder
from infra.service import RawHandler
from infra.uow import UnitOfWork
from schemas.events.candidates import CandidateErased
from schemas.events.envelope import Envelope
from services.gateway.accounts.store import erase_account
from services.gateway.adapters.offers import RedisOfferBook
from services.gateway.audit import record
from services.gateway.readmodel import tables as t
from services.gateway.readmodel.erasure import blob_keys, erase_rows

_EVIDENCE_FILE = re.compile(r"^(evidence/[0-9a-f-]{36}/)[^/]+$")

_PER_CANDIDATE: Sequence[tuple[str, sa.Table]] = (
    ("candidate", t.candidates), ("resume_versions", t.resume_versions),
    ("matches", t.matches), ("applications", t.applications),
    ("review_tasks", t.review_tasks),
)


async def candidate_rows(conn: AsyncConnection,
                         candidate_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for name, table in _PER_CANDIDATE:
        result = await conn.execute(sa.select(table).where(table.c.candidate_id == candidate_id))
        rows[name] = [dict(row) for row in result.mappings()]
    return rows


async def evidence_keys(blobs: BlobStore, manifest_key: str) -> list[str]:
    """The manifest and every file it lists."""
    try:
        manifest = json.loads(await blobs.get(manifest_key))
    except (FileNotFoundError, ValueError):
        return [manifest_key]
    files = manifest.get("files", {}) if isinstance(manifest, dict) else {}
    listed = [v for v in files.values() if isinstance(v, str)] if isinstance(files, dict) else []
    return [manifest_key, *listed]


async def all_blob_keys(conn: AsyncConnection, blobs: BlobStore,
                        candidate_id: uuid.UUID) -> list[str]:
    keys: list[str] = []
    for key in await blob_keys(conn, candidate_id):
        keys.extend(await evidence_keys(blobs, key) if key.startswith("evidence/") else [key])
    return list(dict.fromkeys(keys))


async def export_archive(conn: AsyncConnection, blobs: BlobStore,
                         candidate_id: uuid.UUID, now: datetime) -> bytes:
    """A zip: data.json with every read-model row about the candidate, then their files."""
    rows = await candidate_rows(conn, candidate_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(jsonable_encoder(
            {"candidate_id": str(candidate_id), "exported_at": now.isoformat(), **rows}),
            indent=2))
        for key in await all_blob_keys(conn, blobs, candidate_id):
            try:
                archive.writestr(f"files/{key}", await blobs.get(key))
            except FileNotFoundError:
                continue
    return buffer.getvalue()


def candidate_folders(candidate_id: uuid.UUID, keys: Sequence[str]) -> list[str]:
    """The folders that hold only the candidate's files: their resumes, their sealed portal
    sessions, and the evidence folder of each application (a failed visit's pages included,
    which no row names)."""
    evidence = [match.group(1) for key in keys if (match := _EVIDENCE_FILE.match(key))]
    return list(dict.fromkeys([resume_folder(candidate_id), session_folder(candidate_id),
                               *evidence]))


async def erase_candidate(uow: UnitOfWork, blobs: BlobStore, candidate_id: uuid.UUID,
                          actor: Principal) -> uuid.UUID:
    """Erase the candidate's files, rows and account, tell every service; the event's id.

    Files go first, every version of them: if the transaction then fails, the rows still
    name the files and a retry erases everything; the other order could forget files it
    never erased."""
    async with uow.engine.connect() as conn:
        keys = await all_blob_keys(conn, blobs, candidate_id)
    for key in keys:
        await blobs.delete(key)
    for folder in candidate_folders(candidate_id, keys):
        await blobs.delete_folder(folder)
    async with uow.transaction() as tx:
        now = tx.clock.now()
        await erase_rows(tx.conn, candidate_id, now)
        # The login goes too (e-mail, password hash, refresh tokens); a candidate's user id
        # is their candidate id.
        account = await erase_account(tx.conn, candidate_id)
        envelope = tx.emit(CandidateErased(candidate_id=candidate_id, actor_id=actor.user_id))
        await record(tx.conn, at=now, actor=actor, action="candidate.erase",
                     object_type="candidate", object_id=candidate_id,
                     details={"event_id": str(envelope.id), "files_erased": len(keys),
                              "account_erased": account})
    return envelope.id


def offers_forgotten(offers: RedisOfferBook) -> RawHandler:
    """On CandidateErased: the offers kept for reloading pages hold the resume's text."""

    async def on_candidate_erased(event: CandidateErased, envelope: Envelope) -> None:
        await offers.forget_candidate(event.candidate_id)

    return on_candidate_erased
