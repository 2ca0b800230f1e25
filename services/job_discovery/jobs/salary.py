"""Pay as sources write it ("$120k-$150k a year", "€50.000 - 60.000", "$25/hr") to numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Period(StrEnum):
    """What one amount of pay covers."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class Salary:
    """A pay range; either end may be unknown ("up to $90k")."""

    minimum: float | None
    maximum: float | None
    currency: str | None
    period: Period | None


@dataclass(frozen=True)
class SalaryReading:
    """The salary read from a source, and why anything was changed or dropped."""

    salary: Salary | None
    notes: tuple[str, ...] = ()


# Longest first, so "US$" is not read as "$".
_SYMBOLS = (("US$", "USD"), ("CA$", "CAD"), ("C$", "CAD"), ("A$", "AUD"), ("AU$", "AUD"),
            ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY"), ("₹", "INR"),
            ("CHF", "CHF"), ("zł", "PLN"))
_CODES = re.compile(r"\b(USD|EUR|GBP|CAD|AUD|CHF|JPY|INR|SEK|NOK|DKK|PLN|NZD|SGD)\b", re.I)
_PERIODS = (
    (Period.HOUR, re.compile(r"(\bhour|\bhourly|\bhr\b|/\s*h\b|\bph\b|stunde)", re.I)),
    (Period.DAY, re.compile(r"(\bday\b|\bdaily\b|/\s*d\b|\bper diem\b|\btag\b)", re.I)),
    (Period.WEEK, re.compile(r"(\bweek|\bweekly\b|/\s*wk\b|\bpw\b)", re.I)),
    (Period.MONTH, re.compile(r"(\bmonth|\bmonthly\b|/\s*mo\b|\bp\.?\s?m\.?(?!\w)|monat)",
                              re.I)),
    (Period.YEAR, re.compile(r"(\byear|\byearly\b|\bannual|\byr\b|/\s*y\b|\bp\.?\s?a\.?(?!\w)|"
                             r"per annum|\bjahr|\bbrutto)", re.I)),
)
# 120,000 | 120.000 | 120 000 | 120000 | 25.50 | 25,5 ; then an optional k (thousands).
_AMOUNT = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:(?:,\d{3})+|(?:\.\d{3})+|(?:[ \u00a0\u202f]\d{3})+)|\d+)"
    r"(?:[.,](\d{1,2}))?(?![\d])\s*([kK]|[mM](?![a-zA-Z]))?")
_UP_TO = re.compile(r"\b(up to|max(?:imum)?|bis zu|to)\s*$", re.I)
_FROM = re.compile(r"\b(from|min(?:imum)?|starting at|ab|at least)\s*$", re.I)
# Bounds past which a number is a typo or a unit the source lost, not pay.
_MAX_PLAUSIBLE = 10_000_000.0
# Within this factor a reversed range is an ordering slip; beyond it one end is wrong.
_SWAP_FACTOR = 10.0


def _currency(text: str) -> str | None:
    if (code := _CODES.search(text)) is not None:
        return code.group(1).upper()
    for symbol, code_ in _SYMBOLS:
        if symbol in text:
            return code_
    return None


def _period(text: str) -> Period | None:
    for period, pattern in _PERIODS:
        if pattern.search(text):
            return period
    return None


def _amounts(text: str) -> list[tuple[float, bool, int]]:
    """(value, had a k/m suffix, start offset) of each number in `text`."""
    found = []
    for match in _AMOUNT.finditer(text):
        whole, cents, suffix = match.groups()
        value = float(re.sub(r"[^\d]", "", whole) + (f".{cents}" if cents else ""))
        if suffix:
            value *= 1_000 if suffix in "kK" else 1_000_000
        found.append((value, bool(suffix), match.start()))
    return found


def parse_salary(text: str) -> SalaryReading:
    """The pay range in `text`; notes say what was inferred, swapped or dropped, and why."""
    if not text or not text.strip():
        return SalaryReading(None)
    amounts = _amounts(text)[:2]
    if not amounts:
        return SalaryReading(None, (f"salary not understood: {text[:60]!r}",))
    notes: list[str] = []
    currency, period = _currency(text), _period(text)
    if len(amounts) == 2:
        (low, low_k, _), (high, high_k, _) = amounts
        # "$120-150k": the suffix written once covers both ends.
        if high_k and not low_k and low < 1_000 <= high:
            low *= _magnitude(high)
        minimum: float | None = low
        maximum: float | None = high
    else:
        value, _, start = amounts[0]
        before = re.sub(r"[^\w\s]", " ", text[:start])
        minimum = None if _UP_TO.search(before) else value
        maximum = None if _FROM.search(before) else value
    if period is None:
        period = _inferred_period(max(v for v in (minimum, maximum) if v is not None))
        if period is not None:
            notes.append(f"salary period inferred as {period.value} from the amount")
    return checked(minimum, maximum, currency, period, notes)


def _magnitude(value: float) -> float:
    """The k/m factor that turned a written number into `value`."""
    return 1_000_000.0 if value >= 1_000_000 else 1_000.0


def _inferred_period(value: float) -> Period | None:
    if value < 300:
        return Period.HOUR
    if value >= 10_000:
        return Period.YEAR
    return None


def checked(
    minimum: float | None, maximum: float | None, currency: str | None,
    period: Period | str | None, notes: list[str] | None = None,
) -> SalaryReading:
    """A range made consistent: min > max swapped (or dropped past 10x), nonsense dropped."""
    notes = list(notes or [])
    period_ = _as_period(period, notes)
    for name, value in (("min", minimum), ("max", maximum)):
        if value is not None and not (0 < value <= _MAX_PLAUSIBLE):
            notes.append(f"salary dropped: {name} {value:g} is not a plausible amount")
            return SalaryReading(None, tuple(notes))
    if minimum is None and maximum is None:
        return SalaryReading(None, tuple(notes))
    if minimum is not None and maximum is not None and minimum > maximum:
        if minimum / maximum > _SWAP_FACTOR:
            notes.append(f"salary dropped: min {minimum:g} > max {maximum:g} by more than "
                         f"{_SWAP_FACTOR:g}x, one end is wrong")
            return SalaryReading(None, tuple(notes))
        notes.append(f"salary min {minimum:g} > max {maximum:g}: swapped")
        minimum, maximum = maximum, minimum
    code = currency.upper() if currency else None
    return SalaryReading(Salary(minimum, maximum, code, period_), tuple(notes))


def _as_period(period: Period | str | None, notes: list[str]) -> Period | None:
    if period is None or isinstance(period, Period):
        return period
    found = _period(period.replace("_", " "))
    if found is None:
        notes.append(f"salary period {period[:30]!r} not understood")
    return found
