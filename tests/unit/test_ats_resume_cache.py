"""Parsed resumes are reused within a day and the oldest are dropped past the capacity."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from services.ats_engine.engine import Engine
from services.ats_engine.resume_cache import ParsedResumes
from services.ats_engine.skills import default_taxonomy

ENGINE = Engine(default_taxonomy())
TODAY, TOMORROW = date(2026, 11, 26), date(2026, 11, 27)


def test_a_version_is_found_the_same_day_only() -> None:
    cache = ParsedResumes()
    version = uuid.uuid4()
    parsed = ENGINE.parse_text("Python developer since 2019", TODAY)
    cache.put(version, TODAY, parsed)
    assert cache.get(version, TODAY) is parsed
    assert cache.get(version, TOMORROW) is None, "years of experience are counted to today"
    assert cache.get(uuid.uuid4(), TODAY) is None


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = ParsedResumes(capacity=2)
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    parsed = ENGINE.parse_text("Go developer", TODAY)
    cache.put(first, TODAY, parsed)
    cache.put(second, TODAY, parsed)
    assert cache.get(first, TODAY) is parsed  # `first` is now the most recent
    cache.put(third, TODAY, parsed)
    assert len(cache) == 2
    assert cache.get(second, TODAY) is None
    assert cache.get(first, TODAY) is parsed and cache.get(third, TODAY) is parsed


def test_a_cache_must_hold_something() -> None:
    with pytest.raises(ValueError, match="capacity"):
        ParsedResumes(capacity=0)
