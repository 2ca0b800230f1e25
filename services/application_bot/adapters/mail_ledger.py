"""Settling from the candidate's confirmation e-mails, read over IMAP (the standard library's
client, in a thread)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import imaplib
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from services.application_bot.adapters.portal_ledger import (
    Applied,
    LedgerAnswer,
    LedgerQuery,
    LedgerUnavailable,
)


def posting_reference(apply_url: str) -> str:
    """What a confirmation e-mail's link to the posting contains: Indeed's job key, else the
    posting's path (a Workday or Lever apply page's path starts with it)."""
    parts = urlsplit(apply_url)
    job_key = (parse_qs(parts.query).get("jk") or [""])[0]
    return f"jk={job_key}" if job_key else parts.path.rstrip("/")


@dataclass(frozen=True)
class Mailbox:
    """Where the candidates' confirmations arrive: `imap[s]://user:password@host:port/folder`."""

    host: str
    port: int
    user: str
    password: str
    folder: str
    tls: bool

    @classmethod
    def parse(cls, url: str) -> Mailbox:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
            raise ValueError("an IMAP mailbox URL is imap[s]://user:password@host[:port]/folder")
        tls = parts.scheme == "imaps"
        return cls(parts.hostname, parts.port or (993 if tls else 143), unquote(parts.username),
                   unquote(parts.password or ""), unquote(parts.path.strip("/")) or "INBOX", tls)


_HEADERS = "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT FROM DATE)])"


def _quoted(value: str) -> str:
    if any(ch in value for ch in '"\\\r\n') or not value.isascii():
        raise ValueError(f"cannot search for {value!r}")
    return f'"{value}"'


class ImapConfirmations:
    """A confirmation e-mail to the candidate that links the posting says it went through;
    none says nothing (mail comes late, or goes to spam), so it can never say it did not."""

    def __init__(self, mailbox: Mailbox, *, timeout_s: float) -> None:
        self._mailbox = mailbox
        self._timeout_s = timeout_s

    async def check(self, query: LedgerQuery) -> LedgerAnswer:
        try:
            criteria = ["TO", _quoted(query.email), "BODY",
                        _quoted(posting_reference(query.apply_url))]
        except ValueError:
            return None
        return await asyncio.to_thread(self._search, criteria)

    def _search(self, criteria: list[str]) -> LedgerAnswer:
        box = self._mailbox
        client_type = imaplib.IMAP4_SSL if box.tls else imaplib.IMAP4
        try:
            with client_type(box.host, box.port, timeout=self._timeout_s) as client:
                client.login(box.user, box.password)
                status, _ = client.select(_quoted(box.folder), readonly=True)
                if status != "OK":
                    raise LedgerUnavailable(f"cannot open the mailbox folder {box.folder!r}")
                status, found = client.search(None, *criteria)
                numbers = found[0].split() if status == "OK" and found and found[0] else []
                if not numbers:
                    return None
                status, fetched = client.fetch(numbers[0].decode(), _HEADERS)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise LedgerUnavailable(f"cannot read the confirmations mailbox: {exc}") from exc
        header = next((part[1] for part in fetched if isinstance(part, tuple)), b"")
        message = email.message_from_bytes(header, policy=email.policy.default)
        record = {"source": "confirmation_email", **{name.lower(): str(message.get(name, ""))
                  for name in ("Message-ID", "Subject", "From", "Date")}}
        return Applied(record["message-id"] or record["subject"] or "confirmation e-mail", record)
