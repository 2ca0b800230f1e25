"""The local SMTP sink of `jams run --sandbox`: what the notification service's sender delivers
is kept, newest first, with recipient, subject, time and body; a torn last line is skipped."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from infra.mail_sink import mail_sink, read_sunk_mail
from services.notifications.adapters.email import SmtpSender

pytestmark = pytest.mark.integration


async def test_the_sink_keeps_what_the_notification_sender_delivers(tmp_path: Path) -> None:
    kept = tmp_path / "mail" / "sent.jsonl"
    async with mail_sink(kept) as port:
        sender = SmtpSender(host="127.0.0.1", port=port, sender="JAMS <notifications@jams.local>",
                            timeout_s=10)
        for to, subject, body in (("ada.okafor@example.com", "Application sent", "Acme has it."),
                                  ("bruno.lindqvist@example.com", "Application failed", "Closed.")):
            await sender.send({"to": to, "subject": subject, "body": body,
                               "notification_id": uuid.uuid4()})
    with kept.open("a", encoding="utf-8") as out:
        out.write('{"id": "torn')  # a crash mid-write

    newest, oldest = read_sunk_mail(kept)
    assert (newest["recipients"], newest["subject"]) == (
        ["bruno.lindqvist@example.com"], "Application failed")
    assert (oldest["recipients"], oldest["subject"], oldest["body"].strip()) == (
        ["ada.okafor@example.com"], "Application sent", "Acme has it.")
    assert oldest["sender"] == "notifications@jams.local"
    assert oldest["received_at"] < newest["received_at"]
    assert read_sunk_mail(tmp_path / "absent.jsonl") == []
