"""Confirmation e-mails, as real portals send them: appended over IMAP to the mailbox where
the candidates' mail arrives (the dev server's, in tests and `make run`)."""

from __future__ import annotations

import imaplib
import threading
import time
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import unquote, urlsplit

import structlog

from sandbox.portal.submissions import Submission

log = structlog.get_logger(__name__)


def confirmation(submission: Submission, page_url: str) -> EmailMessage:
    """The portal's thank-you note, linking the posting the candidate applied at."""
    message = EmailMessage()
    message["From"] = f"no-reply@{submission.board_token}.sandbox.example"
    message["To"] = submission.fields.get("email", "")
    message["Subject"] = "Thank you for applying"
    message["Message-ID"] = make_msgid(idstring=submission.confirmation_id,
                                       domain="sandbox.example")
    message["Date"] = format_datetime(datetime.fromisoformat(submission.submitted_at))
    name = submission.fields.get("first_name") or submission.fields.get("firstName") or ""
    message.set_content(
        f"Hi {name},\n\nThank you for your application: we received it.\n"
        f"Posting: {page_url}\nApplication reference: {submission.confirmation_id}\n")
    return message


class ImapMailer:
    """Appends each confirmation to `imap://user:password@host:port/folder` from a thread of
    its own, so mail arrives a moment after the confirmation page, as it does from a portal."""

    def __init__(self, url: str, *, delay_s: float = 0.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "imap" or not parts.hostname:
            raise ValueError("the sandbox mails to imap://user:password@host:port/folder")
        self._host, self._port = parts.hostname, parts.port or 143
        self._user, self._password = unquote(parts.username or ""), unquote(parts.password or "")
        self._folder = unquote(parts.path.strip("/")) or "INBOX"
        self._delay_s = delay_s

    def __call__(self, submission: Submission, page_url: str) -> None:
        if "@" not in submission.fields.get("email", ""):
            return
        threading.Thread(target=self._send, args=(confirmation(submission, page_url),),
                         name="sandbox-mail", daemon=True).start()

    def _send(self, message: EmailMessage) -> None:
        time.sleep(self._delay_s)
        try:
            with imaplib.IMAP4(self._host, self._port, timeout=10) as client:
                client.login(self._user, self._password)
                client.append(f'"{self._folder}"', None, None, message.as_bytes())
        except (OSError, imaplib.IMAP4.error) as exc:
            log.warning("confirmation e-mail not delivered", error=str(exc))
