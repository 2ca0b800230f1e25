"""E-mail over SMTP with aiosmtplib."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import aiosmtplib

from services.notifications.adapters.channels import DeliveryFailed


class SmtpSender:
    """One SMTP submission per message; the Message-ID is the notification id, for dedup. An
    interview's e-mail carries its invitation as an .ics attachment."""

    def __init__(self, *, host: str, port: int, sender: str, timeout_s: float,
                 username: str | None = None, password: str | None = None,
                 start_tls: bool = False) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._timeout_s = timeout_s
        self._username, self._password, self._start_tls = username, password, start_tls

    async def send(self, payload: dict[str, Any]) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = payload["to"]
        message["Subject"] = payload["subject"]
        message["Message-ID"] = f"<{payload['notification_id']}@jams.notifications>"
        message.set_content(payload["body"])
        if payload.get("calendar"):
            # An invitation: text/calendar with its iTIP method, as mail clients expect it.
            message.add_attachment(payload["calendar"], subtype="calendar",
                                   filename="invite.ics",
                                   params={"method": payload["calendar_method"]})
        try:
            await aiosmtplib.send(
                message, hostname=self._host, port=self._port, timeout=self._timeout_s,
                username=self._username, password=self._password, start_tls=self._start_tls,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed(f"recipient refused: {exc}", permanent=True) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
