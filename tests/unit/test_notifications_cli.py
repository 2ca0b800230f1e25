"""`jams notifications set`: settings that cannot work are refused before anything is stored."""

from __future__ import annotations

import uuid

import pytest
from typer.testing import CliRunner

from services.cli import app
from services.notifications.cli import BadPreferences, preferences_of

PERSON = uuid.uuid4()
SECRET = "whsec-0123456789abcdef"


def test_good_settings_become_preferences() -> None:
    prefs = preferences_of(PERSON, ["email", "in_app"], "ada@example.com", None, None, 3600)
    assert (prefs.channels, prefs.email, prefs.digest_interval_s) == (
        frozenset({"email", "in_app"}), "ada@example.com", 3600)
    assert prefs.digests("application_submitted")
    hook = preferences_of(PERSON, ["webhook"], None, "https://hooks.example/j", SECRET, None)
    assert hook.usable() == ["webhook"]


@pytest.mark.parametrize(("channels", "email", "url", "secret", "interval", "reason"), [
    (["fax"], None, None, None, None, "unknown channel 'fax'"),
    (["email"], None, None, None, None, "valid --email"),
    (["email"], "not-an-address", None, None, None, "valid --email"),
    (["webhook"], None, "ftp://x", SECRET, None, "http(s) --webhook-url"),
    (["webhook"], None, "https://hooks.example/j", "short", None, "16 characters"),
    (["in_app"], None, None, None, 5, "between 60 seconds and 7 days"),
])
def test_bad_settings_say_why(channels: list[str], email: str | None, url: str | None,
                              secret: str | None, interval: int | None, reason: str) -> None:
    with pytest.raises(BadPreferences, match=reason.replace("(", r"\(").replace(")", r"\)")):
        preferences_of(PERSON, channels, email, url, secret, interval)


def test_a_phone_number_in_e164_makes_the_sms_channel_usable() -> None:
    prefs = preferences_of(PERSON, ["sms"], None, None, None, None, "+447700900123")
    assert (prefs.usable(), prefs.phone) == (["sms"], "+447700900123")


@pytest.mark.parametrize(("channels", "phone", "reason"), [
    (["sms"], None, "the sms channel needs a --phone number in E.164 form"),
    (["sms"], "07700 900123", "--phone '07700 900123' is not a phone number in E.164 form"),
    (["in_app"], "+44-7700-900123", "is not a phone number in E.164 form"),  # kept for later
])
def test_bad_phone_numbers_say_why(channels: list[str], phone: str | None, reason: str) -> None:
    with pytest.raises(BadPreferences, match=reason.replace(".", r"\.")) as refused:
        preferences_of(PERSON, channels, None, None, None, None, phone)
    assert "+447700900123" in str(refused.value)  # shows what a good number looks like


def test_the_command_refuses_bad_input_with_exit_code_2() -> None:
    result = CliRunner().invoke(app, ["notifications", "set", str(PERSON), "--channel", "email"])
    assert result.exit_code == 2
    assert "valid --email" in result.output
