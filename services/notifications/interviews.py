"""Who hears of an interview and when, with no I/O: invitations (with their .ics), updates,
cancellations, and reminders before it begins."""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from schemas.events.interviews import (
    InterviewCancelled,
    InterviewDetails,
    InterviewRescheduled,
    InterviewScheduled,
)
from services.notifications.calendar import Invite, Method
from services.notifications.domain import NOTIFICATION_NAMESPACE, Notice, job_label

INTERVIEW_EVENTS: tuple[type[InterviewDetails], ...] = (
    InterviewScheduled, InterviewRescheduled, InterviewCancelled)
# How long before an interview its reminders go out, by default.
REMINDER_LEADS_S: tuple[int, ...] = (24 * 3600, 3600)
REMINDER_TEMPLATE = "interview_reminder"

_KINDS = {"phone": "phone", "video": "video", "in_person": "in person"}
# Why an interview was cancelled, as its interviewers read it.
_WHY = {"candidate_rejected": "the candidate was rejected",
        "candidate_erased": "the candidate's data was erased"}


def when(starts_at: datetime, time_zone: str) -> str:
    """The start as people read it, in the interview's time zone."""
    local = starts_at.astimezone(zoneinfo.ZoneInfo(time_zone))
    return f"{local:%A %d %B %Y, %H:%M} ({time_zone})"


def details(event: InterviewDetails) -> dict[str, str]:
    """The values every interview message shows."""
    return {"job": job_label(event.job_id, event.job_title or None, event.company or None),
            "kind": _KINDS[event.kind], "when": when(event.starts_at, event.time_zone),
            "duration_min": str(event.duration_min),
            "place": event.location or event.link or "to be told"}


def invite(event: InterviewDetails, method: Method, organizer: str, stamp: datetime) -> Invite:
    return Invite(interview_id=event.interview_id, sequence=event.sequence, method=method,
                  summary=f"Interview: {details(event)['job']}", starts_at=event.starts_at,
                  time_zone=event.time_zone, duration_min=event.duration_min,
                  location=event.location, link=event.link, organizer=organizer, stamp=stamp)


def _to(event: InterviewDetails, template: str, values: Mapping[str, str],
        sent: Invite) -> list[Notice]:
    """The candidate's notice and each interviewer's."""
    return [Notice(event.candidate_id, "candidate", template, values, sent),
            *(Notice(i, "interviewer", template, values, sent) for i in event.interviewer_ids)]


def interview_notices(event: InterviewDetails, organizer: str, stamp: datetime) -> list[Notice]:
    """The candidate and every interviewer hear of the change, each with the invitation in its
    new version; an interviewer taken off a rescheduled interview gets its cancellation."""
    values = details(event)
    match event:
        case InterviewScheduled():
            return _to(event, "interview_invitation", values,
                       invite(event, "REQUEST", organizer, stamp))
        case InterviewRescheduled():
            dropped = invite(event, "CANCEL", organizer, stamp)
            return [*_to(event, "interview_updated", values,
                         invite(event, "REQUEST", organizer, stamp)),
                    *(Notice(i, "interviewer", "interview_cancelled",
                             {**values, "reason": "you are no longer on it"}, dropped)
                      for i in event.removed_interviewer_ids)]
        case InterviewCancelled():
            cancel = invite(event, "CANCEL", organizer, stamp)
            why = _WHY.get(event.reason, "")
            # The candidate is not told they were rejected here: that is the employer's to say;
            # an erased candidate is told nothing at all.
            told = [] if event.reason == "candidate_erased" else [Notice(
                event.candidate_id, "candidate", "interview_cancelled", {**values, "reason": ""},
                cancel)]
            return [*told, *(Notice(i, "interviewer", "interview_cancelled",
                                    {**values, "reason": why}, cancel)
                             for i in event.interviewer_ids)]
    return []


# --- reminders --------------------------------------------------------------------------------

def reminder_rows(event: InterviewDetails, leads_s: Sequence[int],
                  now: datetime) -> list[dict[str, Any]]:
    """One reminder per lead time, as the event leaves the interview: settled at once (never to
    be sent) when it was cancelled or its time has already come."""
    cancelled = isinstance(event, InterviewCancelled)
    rows = []
    for lead in leads_s:
        due = event.starts_at - timedelta(seconds=lead)
        rows.append({"interview_id": event.interview_id, "lead_s": lead,
                     "sequence": event.sequence, "starts_at": event.starts_at, "due_at": due,
                     "candidate_id": event.candidate_id,
                     "recipient_ids": [event.candidate_id, *event.interviewer_ids],
                     "details": details(event),
                     "settled_at": now if cancelled or due <= now else None})
    return rows


def reminder_id(interview_id: uuid.UUID, sequence: int, lead_s: int) -> uuid.UUID:
    """What a reminder's messages are about: one per interview version and lead time."""
    return uuid.uuid5(NOTIFICATION_NAMESPACE, f"reminder:{interview_id}:{sequence}:{lead_s}")


def lead_text(lead_s: int) -> str:
    if lead_s % 3600 == 0:
        hours = lead_s // 3600
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, lead_s // 60)
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"


def reminder_notices(row: Mapping[str, Any]) -> list[Notice]:
    values = {**row["details"], "lead": lead_text(row["lead_s"])}
    return [Notice(who, "candidate" if who == row["candidate_id"] else "interviewer",
                   REMINDER_TEMPLATE, values) for who in row["recipient_ids"]]
