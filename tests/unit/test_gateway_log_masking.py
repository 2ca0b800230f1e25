"""Personal data never reaches the logs: e-mail addresses and phone numbers are masked, ids
and times are not."""

from __future__ import annotations

import pytest

from infra.logging import mask_text


@pytest.mark.parametrize(("text", "masked"), [
    ("sent to jane.doe+jobs@example.co.uk", "sent to ***@example.co.uk"),
    ("from=<a_b@mail.example.com>", "from=<***@mail.example.com>"),
    ("call +44 20 7946 0958 now", "call *** now"),
    ("phone +1-415-555-0100", "phone ***"),
    ("tel (030) 123 4567", "tel ***"),
])
def test_personal_data_is_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", [
    "candidate 00000000-0000-4000-8000-00000000a11c",
    "at 2026-11-26 03:19:00.476007+00:00",
    "postgresql+psycopg://postgres@/jams?host=/work/.dev/pg",
    "score 87.5 (threshold 90)",
    "job 12345678 of 2",
])
def test_ids_times_and_numbers_stay_readable(text: str) -> None:
    assert mask_text(text) == text


def test_url_passwords_are_still_masked() -> None:
    assert mask_text("redis://user:hunter2@cache.internal:6379/0") == \
        "redis://user:***@cache.internal:6379/0"
