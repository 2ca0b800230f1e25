"""Notes' rules: whom a note mentions, whom a revision tells, who may edit it."""

from __future__ import annotations

import uuid

import pytest

from services.recruiting.notes import (
    Mentioned,
    NotTheAuthor,
    check_editor,
    mentioned_in,
    resolve,
    to_notify,
)

ANN, BOB, EVE = (uuid.UUID(int=n) for n in (1, 2, 3))


def test_mentions_by_id_and_by_address_are_read_from_the_text() -> None:
    body = (f"@{ANN} please call them; cc @Bob@Acme.example, and ask @{str(EVE).upper()}.\n"
            "Their old address was x@y.example, and @ alone is nothing.")
    assert mentioned_in(body) == Mentioned(frozenset({ANN, EVE}),
                                           frozenset({"bob@acme.example"}))


@pytest.mark.parametrize("body", [
    "mail ann@acme.example",  # an address, not a mention
    f"user{ANN}",  # no @
    f"x@{ANN}",  # glued to a word
    f"@{ANN}abc",  # not a whole id
    "@@ann",
    "",
])
def test_text_that_is_not_a_mention_mentions_nobody(body: str) -> None:
    assert mentioned_in(body) == Mentioned(frozenset(), frozenset())


def test_only_members_of_the_notes_company_are_resolved() -> None:
    members = {ANN: "ann@acme.example", BOB: None}
    mentioned = Mentioned(frozenset({ANN, BOB, EVE}),
                          frozenset({"ann@acme.example", "eve@globex.example"}))
    assert resolve(mentioned, members) == [ANN, BOB]
    assert resolve(Mentioned(frozenset(), frozenset({"ANN@acme.example".lower()})),
                   members) == [ANN]
    assert resolve(mentioned, {}) == []


def test_a_revision_tells_only_whom_it_mentions_first_and_never_the_author() -> None:
    assert to_notify([], [ANN, BOB], author=BOB) == [ANN]
    assert to_notify([ANN], [ANN, EVE], author=BOB) == [EVE]
    assert to_notify([ANN, EVE], [ANN], author=BOB) == []


def test_only_the_author_edits() -> None:
    check_editor(ANN, ANN)
    with pytest.raises(NotTheAuthor):
        check_editor(ANN, BOB)
