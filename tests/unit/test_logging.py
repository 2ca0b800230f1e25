"""Secrets never reach the logs; log lines carry the event being handled."""

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from infra.logging import configure_logging, event_context, mask_text


@pytest.mark.parametrize(
    "raw, leaked",
    [
        ("postgresql://jams:hunter2@db/jams", "hunter2"),
        ('"WebSocket /ws/reviewers/42?token=s3cr3t-Tok" [accepted]', "s3cr3t-Tok"),
        ("GET /x?a=1&api_key=abc123&b=2", "abc123"),
        ("/cb?access_token=zzz", "zzz"),
    ],
)
def test_secrets_in_text_are_masked(raw: str, leaked: str) -> None:
    masked = mask_text(raw)
    assert leaked not in masked and "***" in masked


def test_plain_text_is_left_alone() -> None:
    assert mask_text("token bucket refilled; 3 = 3") == "token bucket refilled; 3 = 3"


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Logging as configured here writes to this test's captured stderr: undo it after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restored_logging")
def test_log_lines_are_json_with_event_ids_and_no_secrets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO")
    with event_context(event_id="e-1", correlation_id="c-1"):
        logging.getLogger("jams.tests.stdlib").info(
            '%s - "WebSocket %s" [accepted]', "127.0.0.1", "/ws/reviewers/7?token=abcdef")
        structlog.get_logger("t").info("connected", password="pw", url="redis://u:pw2@h/0")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    ours = [line for line in lines if line.get("event") in {"connected"}
            or "WebSocket" in line.get("event", "")]
    assert [line["event_id"] for line in ours] == ["e-1", "e-1"]
    assert all(line["correlation_id"] == "c-1" for line in ours)
    text = json.dumps(lines)
    assert "abcdef" not in text and '"pw"' not in text and "pw2" not in text


@pytest.mark.usefixtures("restored_logging")
def test_console_lines_are_one_readable_line_an_event_and_still_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", "console")
    with event_context(event_id="e-2"):
        structlog.get_logger("t").info("application settled", state="submitted",
                                       password="pw", email="ada@example.com")
        logging.getLogger("jams.tests.stdlib").info("stdlib line %s", "too")
        structlog.get_logger("t").info("bus partitions rebalanced", claimed=["a"])
        logging.getLogger("httpx").info("HTTP Request: GET http://x/")
    lines = capsys.readouterr().err.splitlines()
    assert not any("rebalanced" in line or "HTTP Request" in line for line in lines), lines
    [ours] = [line for line in lines if "application settled" in line]
    assert not ours.lstrip().startswith("{")
    assert "state=submitted" in ours and "event_id=e-2" in ours
    assert "pw" not in ours.replace("password", "") and "ada@" not in ours
    assert any("stdlib line too" in line for line in lines)
