"""Answers on the running system: posted over HTTP, carried by QuestionnaireAnswered on the
embedded bus to the ATS engine, which scores the pair again; the ranked list shows each
question's result, and a knock-out answer rejects the best candidate."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from infra.auth import Role
from tests.integration.recruiting_support import SCREENING
from tests.integration.test_recruiting_system import SEEDED, acme_job, running_system, until

pytestmark = pytest.mark.integration


async def test_answers_over_the_bus_rescore_and_a_knockout_rejects(
        database_url: str, redis_url: str, tmp_path: Path) -> None:
    async with running_system(database_url, redis_url, tmp_path) as running:
        client = running.client
        recruiter_id = uuid.uuid4()
        recruiter = running.auth(Role.RECRUITER, recruiter_id)
        job = await acme_job(running, recruiter_id)
        asked = await client.put(f"/api/v1/jobs/{job}/questionnaire", json=SCREENING,
                                 headers=recruiter)
        assert asked.status_code == 200, asked.text

        async def listed() -> dict[str, dict[str, Any]]:
            if running.running.done():
                running.running.result()
            response = await client.get(f"/api/v1/jobs/{job}/candidates", headers=recruiter)
            return {c["candidate_id"]: c for c in response.json()["items"]}

        async def all_scored() -> bool:
            return len(await listed()) == len(SEEDED)

        await until(all_scored)
        before = await listed()
        best, second = sorted(before, key=lambda c: before[c]["score"], reverse=True)[:2]
        assert before[best]["decision"] != "reject"
        # The best answers the knock-out wrong (an operator for them); the second answers well.
        operator = running.auth(Role.OPERATOR, uuid.uuid4())
        for candidate, licence in ((best, False), (second, True)):
            answered = await client.post(
                f"/api/v1/questionnaires/{asked.json()['questionnaire_id']}/answers",
                headers=operator, json={"candidate_id": candidate, "version": 1,
                                        "answers": {"licence": licence, "years": 5}})
            assert answered.status_code == 201, answered.text

        async def rescored() -> bool:
            now = await listed()
            return all(now[c]["questions"] for c in (best, second))

        await until(rescored)
        after = await listed()
        assert after[best]["decision"] == "reject" and after[best]["score"] < 50
        assert [(q["id"], q["passed"]) for q in after[best]["questions"]] == [
            ("licence", False), ("years", True)]
        assert after[second]["question_score"] == 100.0
        assert after[second]["breakdown"]["question"] == 1.0
        assert after[second]["score"] >= before[second]["score"]
        untouched = [c for c in after if c not in (best, second)]
        assert all(after[c]["score"] == before[c]["score"] and after[c]["questions"] == []
                   for c in untouched)
