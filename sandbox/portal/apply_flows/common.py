"""What every hosted application flow of the sandbox shares: its postings and its form."""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Generic, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from sandbox.portal.submissions import Submission, SubmissionStore

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, kw_only=True)
class HostedPosting:
    """What a posting of every flow has: it can be closed, and redesigned."""

    open: bool = True
    # A redesigned page: its controls are no longer the ones the appliers know.
    changed: bool = False


K = TypeVar("K", bound=Hashable)
P = TypeVar("P", bound=HostedPosting)


class Postings(Generic[K, P]):
    """A flow's postings by the key its URLs name them by; the sandbox closes them."""

    def __init__(self, postings: Iterable[P], key: Callable[[P], K]) -> None:
        self._lock = threading.Lock()
        self._by_key = {key(posting): posting for posting in postings}

    def get(self, key: K) -> P | None:
        return self._by_key.get(key)

    def __iter__(self) -> Iterator[P]:
        return iter(list(self._by_key.values()))  # a copy: a close may come meanwhile

    def close(self, key: K) -> bool:
        """Take the posting down (its pages say so from now on); False if there is none."""
        with self._lock:
            posting = self._by_key.get(key)
            if posting is None:
                return False
            self._by_key[key] = replace(posting, open=False)
        return True


def close_answer(closed: bool) -> JSONResponse:
    """The sandbox's answer to a request to close a posting: 404 when there is no such one."""
    return JSONResponse({"ok": closed}, status_code=200 if closed else 404)


@dataclass(frozen=True)
class FormRules:
    """What a flow's form accepts: how long a field, and how large and of what type a resume."""

    max_field_chars: int = 2000
    max_resume_mb: int = 5
    resume_types: tuple[str, ...] = ("pdf", "doc", "docx", "odt", "rtf", "txt")

    def resume_type_error(self) -> str:
        *others, last = (kind.upper() for kind in self.resume_types)
        return f"Upload a {', '.join(others)} or {last} resume"


async def read_submission(
    request: Request, store: SubmissionStore, *, board: str, job_id: int,
    required: Sequence[str], resume_field: str, email_field: str = "email",
    choices: Mapping[str, Sequence[str]] | None = None, rules: FormRules = FormRules(),
) -> tuple[Submission | None, list[str]]:
    """The submission, or the messages the page shows back; nothing is recorded here.

    `choices`: the options of the fields that offer some; an answer must be one of them.
    """
    try:
        form = await request.form(max_files=3, max_fields=100)
    except HTTPException:
        return None, ["Your application could not be read. Please try again."]
    fields = {k: v.strip() for k, v in form.multi_items() if isinstance(v, str)}
    errors = [f"{name} is required" for name in required if not fields.get(name)]
    errors += [f"{name} is too long" for name, value in fields.items()
               if len(value) > rules.max_field_chars]
    if fields.get(email_field) and not _EMAIL.match(fields[email_field]):
        errors.append("Enter a valid email address")
    errors += [f"{name}: choose one of the options" for name, options in (choices or {}).items()
               if fields.get(name) and fields[name] not in options]
    resume = form.get(resume_field)
    content, filename = b"", ""
    max_resume_bytes = rules.max_resume_mb * 1024 * 1024
    if not isinstance(resume, UploadFile) or not resume.filename:
        errors.append("A resume is required")
    else:
        filename = PurePath(resume.filename).name
        content = await resume.read(max_resume_bytes + 1)
        if PurePath(filename).suffix.lower().lstrip(".") not in rules.resume_types \
                or not content:
            errors.append(rules.resume_type_error())
        elif len(content) > max_resume_bytes:
            errors.append(f"The resume is larger than {rules.max_resume_mb} MB")
    await form.close()
    if errors:
        return None, errors
    return Submission(
        confirmation_id=uuid.uuid4().hex, board_token=board, job_id=job_id,
        fields={k: v for k, v in fields.items() if v}, resume_filename=filename,
        resume_sha256=hashlib.sha256(content).hexdigest(), resume_size=len(content),
        submitted_at=store.now().isoformat(),
    ), []
