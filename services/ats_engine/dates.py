"""Date ranges as resumes write them: `2020-02`, `02/2020`, `Feb. '20`, `since 2018`, `to date`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_YEAR = r"(?:19|20)\d\d"
_MM = r"(?:0?[1-9]|1[0-2])"
# One point in time; the alternatives are tried longest first.
_POINT = (rf"(?:{_MONTH}\s*,?\s*(?:{_YEAR}|['\u2019]\d\d)"
          rf"|\d{{1,2}}\.{_MM}\.{_YEAR}"
          rf"|{_MM}\s?[./-]\s?{_YEAR}"
          rf"|{_YEAR}[./-]{_MM}(?!\d)"
          rf"|{_YEAR})")
_NOW = r"(?:present|current(?:ly)?|now|today|to date|till date|date|ongoing)"
_SEPARATOR = (r"\s*(?:-{1,2}|\u2013|\u2014|\u2012|\u2015|~|\bto\b|\buntil\b|\btill\b|\bthrough\b|"
              r"\bthru\b)\s*")
RANGE = re.compile(
    rf"(?<![\w/.])(?P<start>{_POINT}){_SEPARATOR}(?:(?P<now>{_NOW})\b|(?P<end>{_POINT}))(?![\w/])"
    rf"|\bsince\s+(?P<since>{_POINT})(?![\w/])"
    # "2019-03 \u2014" at the end of its line: a role still held.
    rf"|(?<![\w/.])(?P<open>{_POINT})[ \t]*(?:-{{1,2}}|\u2013|\u2014)[ \t]*(?=\n|$)",
    re.IGNORECASE,
)
_PARTS = re.compile(rf"(?P<month>{_MONTH})|(?P<year>{_YEAR})|['\u2019](?P<short>\d\d)"
                    rf"|(?P<num>\d{{1,2}})",
                    re.IGNORECASE)


_LONGEST = 45  # years one role can last


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date
    begin: int  # character span of the range in the text
    stop: int


def point(raw: str, today: date, *, end: bool) -> date | None:
    """The date a point names: its first day, or its last for an end; None when unreadable."""
    year: int | None = None
    month: int | None = None
    numbers: list[int] = []
    for part in _PARTS.finditer(raw):
        if part.group("month"):
            month = MONTHS[part.group("month")[:3].lower()]
        elif part.group("year"):
            year = int(part.group("year"))
        elif part.group("short"):
            short = int(part.group("short"))
            year = 2000 + short if 2000 + short <= today.year + 1 else 1900 + short
        elif part.group("num"):
            numbers.append(int(part.group("num")))
    if year is None:
        return None
    if month is None and numbers:
        month = numbers[-1] if 1 <= numbers[-1] <= 12 else None  # 01.03.2019: day, month
    if month is None:
        month = 12 if end else 1
    return min(date(year, month, 28 if end else 1), today)


def find_ranges(text: str, today: date) -> list[DateRange]:
    """Every readable range in `text`, in order; an end before its start is dropped."""
    found = []
    for match in RANGE.finditer(text):
        raw_start = match.group("start") or match.group("since") or match.group("open")
        start = point(raw_start, today, end=False)
        if match.group("now") or match.group("since") or match.group("open"):
            stop: date | None = today
        else:
            stop = point(match.group("end"), today, end=True)
        if start is None or stop is None or stop < start or stop.year - start.year > _LONGEST:
            continue  # reversed, or no career ("homes of 1950-2000 sq ft")
        found.append(DateRange(start, stop, match.start(), match.end()))
    return found
