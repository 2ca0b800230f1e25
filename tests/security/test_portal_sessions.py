"""Candidates' portal sessions at rest: sealed with AES-GCM under a named key, bound to their
candidate and portal, opened by old keys after a rotation and sealed again under the current
one, never written in clear (blob, event or log line), and erased with the candidate."""
# ruff: noqa: F811 - the gateway fixture is the authorisation matrix's

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from infra.auth import Role
from infra.blobs import LocalBlobStore
from infra.outbox import outbox
from infra.portal_sessions import Keyring, SessionSealError, keyring_of, session_blob_key
from services.application_bot.portal_sessions import SessionVault
from tests.integration.test_authz_matrix import gateway  # noqa: F401 - fixture
from tests.integration.test_gateway_api_support import Api

SECRET_COOKIE = "AQEDAS-secret-session-cookie-7f3a"
STATE = {"cookies": [{"name": "li_at", "value": SECRET_COOKIE, "domain": ".linkedin.com",
                      "path": "/", "expires": -1, "httpOnly": True, "secure": True,
                      "sameSite": "None"}],
         "origins": [{"origin": "https://www.linkedin.com",
                      "localStorage": [{"name": "voyager", "value": "local-" + SECRET_COOKIE}]}]}
CONTENT = json.dumps(STATE).encode()
ADA, BOB = uuid.uuid4(), uuid.uuid4()
OLD, NEW = os.urandom(32), os.urandom(32)


def test_a_sealed_session_opens_only_for_its_candidate_and_portal() -> None:
    ring = Keyring({"k1": OLD}, "k1")
    sealed = ring.seal(CONTENT, ADA, "linkedin")

    assert SECRET_COOKIE.encode() not in sealed
    assert ring.open(sealed, ADA, "linkedin").content == CONTENT
    for candidate, portal in ((BOB, "linkedin"), (ADA, "indeed")):
        with pytest.raises(SessionSealError):
            ring.open(sealed, candidate, portal)
    tampered = bytearray(sealed)
    tampered[-1] ^= 1
    with pytest.raises(SessionSealError):
        ring.open(bytes(tampered), ADA, "linkedin")
    assert ring.seal(CONTENT, ADA, "linkedin") != sealed, "a fresh nonce every time"


def test_a_rotated_ring_opens_old_seals_and_seals_with_the_current_key() -> None:
    old_ring = Keyring({"2026-06": OLD}, "2026-06")
    rotated = Keyring({"2026-06": OLD, "2026-12": NEW}, "2026-12")
    sealed_before = old_ring.seal(CONTENT, ADA, "linkedin")

    opened = rotated.open(sealed_before, ADA, "linkedin")
    assert (opened.content, opened.key_id, opened.stale) == (CONTENT, "2026-06", True)
    resealed = rotated.reseal(sealed_before, ADA, "linkedin")
    assert resealed is not None
    assert Keyring({"2026-12": NEW}, "2026-12").open(resealed, ADA, "linkedin").content == CONTENT
    assert rotated.reseal(resealed, ADA, "linkedin") is None, "already under the current key"
    with pytest.raises(SessionSealError, match="no longer has"):
        Keyring({"2026-12": NEW}, "2026-12").open(sealed_before, ADA, "linkedin")


async def test_the_bot_seals_an_old_session_again_under_the_current_key(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path)
    key = session_blob_key(ADA, "linkedin")
    await blobs.put(key, Keyring({"old": OLD}, "old").seal(CONTENT, ADA, "linkedin"))
    vault = SessionVault(blobs, Keyring({"old": OLD, "new": NEW}, "new"))

    session = await vault.session(ADA, "linkedin")

    assert session is not None and session.storage_state == STATE
    upgraded = Keyring({"new": NEW}, "new").open(await blobs.get(key), ADA, "linkedin")
    assert upgraded.content == CONTENT and not upgraded.stale
    assert await SessionVault(blobs, Keyring({"old": OLD}, "old")).session(ADA, "linkedin") \
        is None, "the old key alone no longer opens it"


@pytest.mark.integration
async def test_a_session_handed_over_is_sealed_sent_on_and_erased_with_the_candidate(
    gateway: Api, tmp_path: Path, capfd: pytest.CaptureFixture[str],
) -> None:
    api = gateway
    me = api.world.candidates[0]
    key = session_blob_key(me, "linkedin")

    put = await api.client.put(f"/api/v1/candidates/{me}/portal-sessions/linkedin",
                               json=STATE, headers=api.auth(Role.CANDIDATE, me))

    assert put.status_code == 202, put.text
    sealed = await api.blobs.get(key)
    assert SECRET_COOKIE.encode() not in sealed
    # The embedded default's key, as the gateway generated it in its data folder.
    ring = keyring_of({"local": SecretStr((tmp_path / "portal_session_key").read_text())},
                      "local")
    assert ring is not None
    assert json.loads(ring.open(sealed, me, "linkedin").content) == STATE
    async with api.uow.engine.connect() as conn:
        events = [json.loads(value) for value, headers in await conn.execute(
            sa.select(outbox.c.value, outbox.c.headers))
            if dict(headers).get("ce_type") == "jams.candidates.PortalSessionProvided"]
    assert [(e["candidate_id"], e["portal"], e["blob_key"]) for e in events] == [
        (str(me), "linkedin", key)]
    assert SECRET_COOKIE not in json.dumps(events)

    refused = await api.client.put(f"/api/v1/candidates/{me}/portal-sessions/linkedin",
                                   json={"cookies": "everything"},
                                   headers=api.auth(Role.CANDIDATE, me))
    assert refused.status_code == 422

    erased = await api.client.delete(f"/api/v1/candidates/{me}",
                                     headers=api.auth(Role.CANDIDATE, me))
    assert erased.status_code == 202, erased.text
    assert not await api.blobs.exists(key), "the sealed session is erased with the candidate"
    out, err = capfd.readouterr()
    assert SECRET_COOKIE not in out + err, "no log line holds the session"
