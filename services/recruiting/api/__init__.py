"""The recruiting API under `/api/v1`: companies, employer jobs, ranked candidates."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator

from infra.http_conventions import ERROR_RESPONSES, ErrorBody

# The error statuses a route may answer, documented in the one error shape.
RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "ERR_VALIDATION: a cursor this API did not hand out"},
    **ERROR_RESPONSES,
}

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(value: str) -> str:
    if _UNSTORABLE.search(value):
        raise ValueError("text must not contain NUL characters or lone surrogates")
    return value


# Text PostgreSQL can store: no NUL characters, no lone surrogates.
Text = Annotated[str, AfterValidator(_storable)]
