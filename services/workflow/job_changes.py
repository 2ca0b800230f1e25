"""What a reviewer is told when the job of an open task changes: its new title and apply URL,
and what changed, in a few lines (newest first)."""

from __future__ import annotations

from dataclasses import replace

from schemas.events.jobs import JobUpdated
from services.workflow.domain import ReviewTask

# The note stays small: the task panel shows it above the explanation.
MAX_LINES = 12
_LABELS = {"title": "title", "description": "description", "location": "location",
           "salary": "salary", "apply_url": "apply URL"}


def salary_of(event: JobUpdated) -> str:
    """The new pay as one line, e.g. `90000-110000 EUR per year`."""
    amounts = [f"{v:g}" for v in (event.salary_min, event.salary_max) if v is not None]
    if not amounts:
        return ""
    words = ["-".join(dict.fromkeys(amounts)), event.salary_currency or "",
             f"per {event.salary_period}" if event.salary_period else ""]
    return " ".join(word for word in words if word)


def change_lines(event: JobUpdated) -> tuple[str, ...]:
    """One line per changed field, earlier value to new; the description's changed lines."""
    now = {"title": event.title, "location": event.location, "salary": salary_of(event),
           "apply_url": str(event.apply_url)}
    lines: list[str] = []
    for name in event.changed:
        label = _LABELS.get(name, name)
        if name in now:
            was = event.previous.get(name) or "(none)"
            lines.append(f"{label}: {was} \u2192 {now[name] or '(none)'}")
        else:
            lines.append(f"{label} changed" + (":" if event.description_diff else ""))
            lines.extend(f"  {line}" for line in event.description_diff)
    return tuple(lines)


def with_job_change(task: ReviewTask, event: JobUpdated) -> ReviewTask | None:
    """The open task showing the job as it is now; None when it shows this revision already."""
    if task.details.job_revision >= event.revision:
        return None
    details = replace(task.details, job_revision=event.revision,
                      job_changes=(change_lines(event) + task.details.job_changes)[:MAX_LINES])
    return replace(task, job_title=event.title, apply_url=str(event.apply_url), details=details)
