"""A local SMTP sink for the embedded default: it accepts every message and keeps it in a JSON
Lines file, so a person sees the e-mails the system sent and none leaves the machine."""

from __future__ import annotations

import asyncio
import contextlib
import email
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

# The page lists the newest; older ones stay in the file.
LISTED = 200
BODY_CHARS = 20_000


class _KeepInFile:
    """An aiosmtpd handler that appends each message, as one JSON object, to `path`."""

    def __init__(self, path: Path) -> None:
        self._path = path

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        message = email.message_from_bytes(content, policy=policy.default)
        record = {
            "id": uuid.uuid4().hex,
            "received_at": datetime.now(UTC).isoformat(),
            "sender": envelope.mail_from or "",
            "recipients": list(envelope.rcpt_tos),
            "subject": str(message.get("subject", "")),
            "body": _text_of(message)[:BODY_CHARS],
        }
        with self._path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
        return "250 Message accepted for delivery"


def _text_of(message: Any) -> str:
    """The plain-text body, else the HTML one, else nothing."""
    if not isinstance(message, EmailMessage):
        return ""
    part = message.get_body(preferencelist=("plain", "html"))
    return str(part.get_content()) if part is not None else ""


@contextlib.asynccontextmanager
async def mail_sink(path: Path, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[int]:
    """An SMTP server on `host` (loopback) keeping mail in `path`; yields the bound port."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _KeepInFile(path)
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(handler, hostname="jams-mail-sink"), host, port)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        await server.wait_closed()


def read_sunk_mail(path: Path, limit: int = LISTED) -> list[dict[str, Any]]:
    """The newest `limit` messages kept in `path`, newest first; none when it is absent."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    messages = []
    for line in reversed(lines):
        try:
            messages.append(json.loads(line))
        except ValueError:  # a line cut short by a crash
            continue
        if len(messages) >= limit:
            break
    return messages
