"""The rules of notes on candidates, with no I/O: who a note mentions, and who may edit it.

A note mentions people as `@<user id>` or `@<e-mail>`. Only members of the note's own company
are resolved; anyone else (another company's people, an unknown id or address) is left as text
and told nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# `@` not glued to a word or an address before it ("ann@acme.com" mentions nobody).
_MENTION = re.compile(
    r"(?<![\w@.+-])@("
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])"
    r"|[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+)")


@dataclass(frozen=True)
class Mentioned:
    """Who a note names: user ids and e-mail addresses (lower-cased), as written."""

    user_ids: frozenset[uuid.UUID]
    emails: frozenset[str]


def mentioned_in(body: str) -> Mentioned:
    ids: set[uuid.UUID] = set()
    emails: set[str] = set()
    for match in _MENTION.finditer(body):
        text = match.group(1)
        if "@" in text:
            emails.add(text.lower())
        else:
            ids.add(uuid.UUID(text))
    return Mentioned(frozenset(ids), frozenset(emails))


def resolve(mentioned: Mentioned, members: Mapping[uuid.UUID, str | None]) -> list[uuid.UUID]:
    """The members (user id -> e-mail, of the note's company) the note mentions, in id order."""
    by_email = {email.lower(): user for user, email in members.items() if email}
    found = {user for user in mentioned.user_ids if user in members}
    found |= {by_email[email] for email in mentioned.emails if email in by_email}
    return sorted(found)


def to_notify(before: Iterable[uuid.UUID], after: Iterable[uuid.UUID],
              author: uuid.UUID) -> list[uuid.UUID]:
    """Who hears of a note's revision: those it mentions for the first time, never its author;
    an edit that keeps a mention tells nobody again."""
    known = set(before)
    return sorted(user for user in set(after) if user not in known and user != author)


class NotTheAuthor(PermissionError):
    """Only a note's author edits it."""


def check_editor(author: uuid.UUID, editor: uuid.UUID) -> None:
    if author != editor:
        raise NotTheAuthor("only the note's author may edit it")
