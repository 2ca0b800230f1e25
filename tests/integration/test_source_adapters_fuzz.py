"""Hostile payloads into every normaliser: a clear BadPosting or a valid event, nothing else.

No server is needed, so these run in the fast tier.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.events.jobs import JobDiscovered
from services.job_discovery.adapters.adzuna import normalise_adzuna
from services.job_discovery.adapters.base import BadPosting, FetchResult, collect
from services.job_discovery.adapters.boards import (
    normalise_ashby,
    normalise_greenhouse,
    normalise_lever,
)
from services.job_discovery.adapters.workday import normalise_workday

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=30))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12)


def near(fields: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Real-looking payloads with any field replaced, dropped or added."""
    return st.fixed_dictionaries(
        {}, optional={k: st.one_of(st.just(v), json_values) for k, v in fields.items()}
    ).flatmap(lambda d: st.dictionaries(st.text(max_size=10), json_values, max_size=3)
              .map(lambda extra: extra | d))


GREENHOUSE = {"id": 4012345001, "title": "Engineer",
              "absolute_url": "https://boards.greenhouse.io/x/jobs/4012345001",
              "location": {"name": "Remote"}, "content": "&lt;p&gt;x&lt;/p&gt;",
              "updated_at": "2026-01-05T10:15:00-05:00"}
LEVER = {"id": "abc", "text": "Engineer", "hostedUrl": "https://jobs.lever.co/x/abc",
         "categories": {"location": "Remote"}, "description": "<p>x</p>", "createdAt": 1,
         "lists": [{"text": "Req", "content": "<li>Go</li>"}]}
ASHBY = {"id": "u", "title": "Engineer", "jobUrl": "https://jobs.ashbyhq.com/x/u",
         "location": "Remote", "descriptionHtml": "<p>x</p>",
         "publishedAt": "2026-01-01T00:00:00Z"}
ADZUNA = {"id": "1", "title": "Engineer", "redirect_url": "https://www.adzuna.co.uk/x",
          "company": {"display_name": "Acme"}, "location": {"display_name": "London"},
          "created": "2026-01-01T00:00:00Z"}
WORKDAY = {"jobPostingInfo": {"title": "Engineer", "jobReqId": "R-1", "location": "Austin",
                              "startDate": "2026-01-01", "jobDescription": "<p>x</p>"}}

NORMALISERS: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], JobDiscovered]]] = {
    "greenhouse": (GREENHOUSE, lambda p: normalise_greenhouse(p, company="Acme")),
    "lever": (LEVER, lambda p: normalise_lever(p, company="Acme")),
    "ashby": (ASHBY, lambda p: normalise_ashby(p, company="Acme")),
    "adzuna": (ADZUNA, lambda p: normalise_adzuna(p)[0]),
    "workday": (WORKDAY, lambda p: normalise_workday(p, tenant="t", company="Acme",
                                                     fallback_url="https://x.example/j")),
}


@pytest.mark.parametrize("name", sorted(NORMALISERS))
def test_the_real_shape_normalises(name: str) -> None:
    payload, normalise = NORMALISERS[name]
    assert normalise(payload).title == "Engineer"


@pytest.mark.parametrize("name", sorted(NORMALISERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_payloads_are_refused_clearly(name: str, data: st.DataObject) -> None:
    payload, normalise = NORMALISERS[name]
    hostile = data.draw(near(payload))
    try:
        event = normalise(hostile)
    except BadPosting:
        return
    assert isinstance(event, JobDiscovered)
    assert event.source_job_key == f"{event.source}:{event.external_id}"


@pytest.mark.parametrize("created", [10**20, 2**63 - 1])
def test_an_impossible_lever_time_is_a_bad_posting(created: int) -> None:
    with pytest.raises(BadPosting, match="createdAt"):
        normalise_lever(LEVER | {"createdAt": created}, company="Acme")


@given(items=st.lists(json_values, max_size=6))
@settings(max_examples=100, deadline=None)
def test_collect_skips_what_it_cannot_read_with_a_reason(items: list[Any]) -> None:
    result = FetchResult()
    collect(result, items, "https://x.example/", lambda p: normalise_lever(p, company="A"))
    assert len(result.postings) + len(result.problems) == len(items)
    assert all(p.reason == "bad_posting" and p.detail for p in result.problems)
