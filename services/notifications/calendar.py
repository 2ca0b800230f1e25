"""Interview invitations as iCalendar (RFC 5545, iTIP's REQUEST and CANCEL), with no I/O.

Every invitation of one interview carries the same UID; its SEQUENCE is the interview's, so a
mail client replaces the entry it holds with the newer one, and removes it on a CANCEL.
"""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from icalendar import Calendar, Event, vCalAddress

Method = Literal["REQUEST", "CANCEL"]
PRODID = "-//JAMS//Interviews//EN"


def interview_uid(interview_id: uuid.UUID) -> str:
    return f"interview-{interview_id}@jams"


@dataclass(frozen=True)
class Invite:
    """One interview's calendar entry as it stands at `sequence`."""

    interview_id: uuid.UUID
    sequence: int
    method: Method
    summary: str
    starts_at: datetime
    time_zone: str
    duration_min: int
    location: str | None
    link: str | None
    organizer: str  # an e-mail address
    stamp: datetime  # when this version was made: the event's time, so a resend is identical

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_min)


def ics(invite: Invite, attendee: str) -> str:
    """The .ics text for one attendee (only their own address: the others' stay private)."""
    zone = zoneinfo.ZoneInfo(invite.time_zone)
    event = Event()
    event.add("uid", interview_uid(invite.interview_id))
    event.add("sequence", invite.sequence)
    event.add("dtstamp", invite.stamp)
    event.add("dtstart", invite.starts_at.astimezone(zone))
    event.add("dtend", invite.ends_at.astimezone(zone))
    event.add("summary", invite.summary)
    if invite.location or invite.link:
        event.add("location", invite.location or invite.link)
    if invite.link:
        event.add("url", invite.link)
    event.add("status", "CANCELLED" if invite.method == "CANCEL" else "CONFIRMED")
    event.add("organizer", vCalAddress(f"mailto:{invite.organizer}"))
    guest = vCalAddress(f"mailto:{attendee}")
    guest.params["ROLE"] = "REQ-PARTICIPANT"
    guest.params["RSVP"] = "FALSE"
    event.add("attendee", guest)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", invite.method)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return str(calendar.to_ical().decode())
