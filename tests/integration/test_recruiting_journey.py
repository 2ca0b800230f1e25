"""An employer's job from posting to an interview and a shared link, on the running system: the
gateway, the ATS engine, the recruiting and the notification services in one process on the
embedded bus, e-mail to a real SMTP server. The job is posted through the API, scored by the
ATS engine over the bus and ranked best first; its best candidate is shortlisted, invited to an
interview (the invitation arrives with its .ics), and shown to a hiring manager without an
account through a link that is viewed and then revoked."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from infra.auth import Role
from infra.db import create_engine
from services.notifications import repository
from services.notifications.domain import Preferences
from tests.integration.test_notifications_delivery import Mailbox, smtp_server
from tests.integration.test_notifications_interviews import calendar_of, mails_to
from tests.integration.test_recruiting_system import (
    JOBS,
    RUNNING,
    SEEDED,
    running_system,
    until,
)

pytestmark = pytest.mark.integration
__all__ = ["smtp_server"]  # the fixture

CANDIDATE_MAIL, MANAGER_MAIL = "best.candidate@example.com", "manager@acme.example.com"


async def test_an_employer_job_from_posting_to_interview_and_a_shared_link(
        database_url: str, redis_url: str, tmp_path: Path,
        smtp_server: tuple[Mailbox, int]) -> None:
    mailbox, smtp_port = smtp_server
    recruiter_id, manager_id = uuid.uuid4(), uuid.uuid4()
    async with running_system(
            database_url, redis_url, tmp_path, names=(*RUNNING, "notifications"),
            settings={"notifications": {"smtp_port": smtp_port,
                                        "delivery_interval_s": 0.2}}) as running:
        client, admin = running.client, running.auth(Role.ADMIN, uuid.uuid4())
        recruiter = running.auth(Role.RECRUITER, recruiter_id)
        manager = running.auth(Role.HIRING_MANAGER, manager_id)
        company = (await client.post("/api/v1/companies", json={"name": "Acme"},
                                     headers=admin)).json()["company_id"]
        for member in (recruiter_id, manager_id):
            joined = await client.put(f"/api/v1/companies/{company}/members/{member}",
                                      headers=admin)
            assert joined.status_code == 200, joined.text

        # Posted and published: the ATS engine scores it against every seeded candidate.
        title, description = JOBS["Acme"]
        posted = await client.post("/api/v1/jobs", headers=recruiter, json={
            "title": title, "description": description, "status": "published",
            "location": "Remote"})
        assert posted.status_code == 201, posted.text
        job = posted.json()["job_id"]
        ranked_path = f"/api/v1/jobs/{job}/candidates"

        async def all_ranked() -> bool:
            if running.running.done():
                running.running.result()
            listed = await client.get(ranked_path, headers=manager)
            return len(listed.json()["items"]) == len(SEEDED)

        await until(all_ranked)
        ranked = (await client.get(ranked_path, headers=manager)).json()["items"]
        scores = [c["score"] for c in ranked]
        assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
        best = ranked[0]
        assert best["matched_skills"] and best["breakdown"]
        best_id = best["candidate_id"]

        # Shortlisted by the hiring manager.
        shortlisted = await client.patch(f"{ranked_path}/{best_id}", headers=manager,
                                         json={"status": "shortlisted"})
        assert shortlisted.status_code == 200, shortlisted.text
        only = await client.get(ranked_path, headers=manager, params={"status": "shortlisted"})
        assert [c["candidate_id"] for c in only.json()["items"]] == [best_id]

        # Both are reached by e-mail (as `jams notifications set-preferences` records it).
        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.begin() as conn:
                for who, address in ((best_id, CANDIDATE_MAIL), (manager_id, MANAGER_MAIL)):
                    await repository.set_preferences(conn, Preferences(
                        uuid.UUID(str(who)), frozenset({"email"}), address), datetime.now(UTC))
        finally:
            await engine.dispose()

        # An interview: the invitation arrives with an .ics a calendar reads as one event.
        starts = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
        scheduled = await client.post(f"{ranked_path}/{best_id}/interviews", headers=recruiter,
                                      json={"kind": "video", "link": "https://meet.example.com/x",
                                            "starts_at": starts.isoformat(),
                                            "time_zone": "Europe/Berlin", "duration_min": 45,
                                            "interviewer_ids": [str(manager_id)]})
        assert scheduled.status_code == 201, scheduled.text
        interview = scheduled.json()

        async def invited() -> bool:
            return all(mails_to(mailbox, a) for a in (CANDIDATE_MAIL, MANAGER_MAIL))

        await until(invited, timeout_s=60)
        [invitation] = mails_to(mailbox, CANDIDATE_MAIL)
        method, calendar = calendar_of(invitation)
        assert method == "REQUEST"
        [event] = calendar.walk("VEVENT")
        assert str(event["UID"]) == f"interview-{interview['interview_id']}@jams"
        assert event.decoded("DTSTART") == starts
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=45)
        assert str(event["ATTENDEE"]) == f"mailto:{CANDIDATE_MAIL}"

        # A link for a hiring manager without an account: viewed, then revoked.
        links_path = f"{ranked_path}/{best_id}/links"
        made = await client.post(links_path, headers=recruiter,
                                 json={"hidden_fields": ["email", "phone"]})
        assert made.status_code == 201, made.text
        token = made.json()["url"].rsplit("/shared/", 1)[1]
        view = await client.get(f"/api/v1/shared/{token}")
        assert view.status_code == 200, view.text
        shown = view.json()
        assert (shown["candidate_id"], shown["job_id"], shown["score"], shown["status"]) == (
            best_id, job, best["score"], "shortlisted")
        assert not {"email", "phone"} & set(shown)
        page = await client.get(f"/shared/{token}")
        assert page.status_code == 200 and "<script" not in page.text.lower()

        revoked = await client.delete(f"/api/v1/links/{made.json()['link_id']}",
                                      headers=recruiter)
        assert revoked.status_code == 204, revoked.text
        gone = await client.get(f"/api/v1/shared/{token}")
        assert gone.status_code == 410 and gone.json()["error"]["code"] == "ERR_GONE"
        [listed] = (await client.get(links_path, headers=manager)).json()["items"]
        # The two views before the revocation; the refused one is logged, not counted.
        assert listed["views"] == 2 and listed["revoked_at"] is not None
