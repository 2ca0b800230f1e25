"""The recruiters' page's pure parts: which optional parts the API serves, the values filled
into the page, and what a live message says."""

from __future__ import annotations

import json
import uuid

from services.recruiting.live import news
from services.recruiting.web import features, filled


def test_optional_parts_follow_the_routes_whatever_their_parameters_are_called() -> None:
    assert features(["/api/v1/jobs/{job_id}/candidates"]) == []
    assert features([
        "/api/v1/jobs/{job_id}/candidates/{candidate_id}/notes",
        "/api/v1/jobs/{id}/candidates/{cid}/links",
        "/api/v1/jobs/{job_id}/candidates/{candidate_id}/interviews",
        "/api/v1/match/run/{task_id}",
    ]) == ["interviews", "links", "notes", "rescore"]
    # A route of the same start is not the part's own.
    assert features(["/api/v1/jobs/{job_id}/candidates/{candidate_id}/notes/{note_id}"]) == []


def test_values_filled_into_the_page_are_escaped() -> None:
    page = filled('<body data-role="__ROLE__" data-company="__COMPANY__">',
                  {"ROLE": 'x" onload="alert(1)', "COMPANY": ""})
    assert page == '<body data-role="x&quot; onload=&quot;alert(1)" data-company="">'


def test_news_names_each_job_once_in_order() -> None:
    first, second = sorted([uuid.uuid4(), uuid.uuid4()], key=str)
    assert json.loads(news("scores", [second, first, second])) == {
        "type": "scores", "job_ids": [str(first), str(second)]}
