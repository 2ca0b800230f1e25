"""Whether a posting's edit matters: material changes against cosmetic ones, and what changed.

Material: the title, description, location, salary or apply URL reads differently. Cosmetic:
only whitespace differs, or an apply URL differs only in tracking parameters (`utm_*`,
click ids) or their order. A requirements edit is a description edit: postings carry their
requirements in the description's text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# The fields whose change publishes JobUpdated, in the order consumers are told of them.
MATERIAL = ("title", "description", "location", "salary", "apply_url")
# Short fields whose earlier value travels with the change; a description does not.
SHORT = ("title", "location", "salary", "apply_url")
# Changed description lines told (the reviewer's note stays small), and each line's length.
MAX_DIFF_LINES = 10
MAX_DIFF_LINE_CHARS = 200

# Parameters that say where a click came from, never which job it is.
_TRACKING = re.compile(
    r"utm_\w*|gclid|fbclid|msclkid|dclid|yclid|igshid|mc_cid|mc_eid|_hsenc|_hsmkt|gh_src"
    r"|trk|trkinfo|trackingid|refid",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class JobContent:
    """The material fields of a job, as stored: the salary shown as one line."""

    title: str
    description: str
    location: str
    salary: str
    apply_url: str


@dataclass(frozen=True)
class JobChange:
    """A material change: which fields, their earlier values, the description's lines."""

    changed: tuple[str, ...]
    previous: dict[str, str] = field(default_factory=dict)
    description_diff: tuple[str, ...] = ()


def content_of(fields: Mapping[str, Any]) -> JobContent:
    """The material fields of a canonical job's columns (a stored row or one to store)."""
    return JobContent(
        title=fields["title"], description=fields["description"] or "",
        location=fields["location"] or "", apply_url=fields["apply_url"],
        salary=salary_line(fields["salary_min"], fields["salary_max"],
                           fields["salary_currency"], fields["salary_period"]),
    )


def salary_line(minimum: float | None, maximum: float | None, currency: str | None,
                period: str | None) -> str:
    """Pay as one line, e.g. `70000-90000 EUR per year`; empty when the posting names none."""
    amounts = [f"{value:g}" for value in (minimum, maximum) if value is not None]
    if not amounts:
        return ""
    words = ["-".join(dict.fromkeys(amounts)), currency or "", f"per {period}" if period else ""]
    return " ".join(word for word in words if word)


def without_tracking(url: str) -> str:
    """`url` without tracking parameters, the rest in a stable order."""
    parts = urlsplit(url.strip())
    kept = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                  if not _TRACKING.fullmatch(k))
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def _comparable(content: JobContent) -> dict[str, str]:
    return {"title": _squeezed(content.title), "description": _squeezed(content.description),
            "location": _squeezed(content.location), "salary": content.salary,
            "apply_url": without_tracking(content.apply_url)}


def material_change(old: JobContent, new: JobContent) -> JobChange | None:
    """What changed from `old` to `new` that a candidate or a reviewer would care about;
    None when the edit is cosmetic (or nothing changed)."""
    before, after = _comparable(old), _comparable(new)
    changed = tuple(name for name in MATERIAL if before[name] != after[name])
    if not changed:
        return None
    previous = {name: getattr(old, name) for name in SHORT if name in changed}
    diff = description_diff(old.description, new.description) \
        if "description" in changed else ()
    return JobChange(changed, previous, diff)


def description_diff(old: str, new: str) -> tuple[str, ...]:
    """The first changed lines, `+ ` added and `- ` removed; whitespace within a line and
    blank lines do not count."""
    before = [_squeezed(line) for line in old.splitlines() if line.strip()]
    after = [_squeezed(line) for line in new.splitlines() if line.strip()]
    lines = [line[:1] + " " + line[1:] for line in difflib.unified_diff(before, after, n=0,
                                                                        lineterm="")
             if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return tuple(line[:MAX_DIFF_LINE_CHARS] for line in lines[:MAX_DIFF_LINES])
