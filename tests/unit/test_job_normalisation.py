"""Normalisation of postings: employers, titles, places, contract kinds, pay and times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.events.jobs import JobDiscovered
from services.job_discovery.jobs.normalise import (
    EmploymentType,
    Workplace,
    company_key,
    company_name,
    employment_type,
    job_title,
    parse_location,
    title_words,
    to_utc,
)
from services.job_discovery.jobs.posting import (
    BadPayload,
    normalise_posting,
    parse_payload,
    same_job,
)
from services.job_discovery.jobs.salary import Period, Salary, checked, parse_salary


@pytest.mark.parametrize(("raw", "key"), [
    ("Acme", "acme"), ("ACME, Inc.", "acme"), ("Acme GmbH & Co. KG", "acme"),
    ("Acme Corp.", "acme"), ("Foo L.L.C.", "foo"), ("The Boring Company", "boring"),
    ("\uff21\uff43\uff4d\uff45 Ltd", "acme"), ("Group", "group"), ("Acme Ltd Ltd", "acme"),
    ("St Brendan Regional Medical Ctr", "st brendan regional medical center"),
    ("Smith & Sons", "smith sons"), ("Smith and Sons", "smith sons"),
    ("Fableworks Studio", "fableworks"), ("Dhara Infra Consultants Pvt Ltd", "dhara infra"),
    ("Prairie Trust Bank, N.A.", "prairie trust bank"),
])
def test_company_keys_drop_case_punctuation_and_legal_forms(raw: str, key: str) -> None:
    assert company_key(raw) == key


def test_the_postings_own_city_after_the_employers_name_is_not_part_of_its_key() -> None:
    assert company_key("Clinique Saint-Luc Lyon", "lyon") == company_key("Clinique Saint-Luc")
    assert company_key("Acme New York Ltd", "new york") == "acme"
    assert company_key("New York Times", "new york") == "new york times"
    assert company_key("Lyon", "lyon") == "lyon"


def test_company_display_name_keeps_the_sources_casing() -> None:
    assert company_name("  Acme,   Inc. ") == "Acme, Inc."


@pytest.mark.parametrize(("a", "b"), [
    ("Sr. Software Engineer II", "Senior Software Engineer 2"),
    ("Softwareentwickler (m/w/d)", "Softwareentwickler"),
    ("Backend Engineer - Remote", "Backend Engineer"),
    ("Jr. Data Analyst (f/m/x)", "junior data analyst"),
    ("Ops Mgr", "Operations Manager"),
    ("R&D Engineer", "R and D Engineer"),
    ("Frontend Developer", "Front-End Engineer"),
    ("Java Programmer", "Java Engineer"),
    ("RN - Med/Surg", "Registered Nurse Med Surg"),
    ("CDL-A Truck Driver", "Class A CDL Truck Driver"),
    ("Store Mgr (all genders)", "Store Manager (w/m/d)"),
    ("Data Engineer - Req #48213", "Data Engineer (JR-0048213)"),
    ("Warehouse Associate, Nights - $21.50/hr", "Warehouse Associate Overnight Shift"),
    ("Staff Nurse (36 hrs/wk) - full time", "Staff Nurse"),
    ("Maths Teacher", "Teacher of Mathematics"),
    ("Barista - Hiring Now", "Barista"),
    ("AP Specialist", "Accounts Payable Specialist"),
    ("Teaching Assistant - 1:1 Support", "Teaching Assistant Support"),
    ("Civil Engineer - 4 to 7 Years", "Civil Engineer"),
])
def test_title_variants_share_their_words(a: str, b: str) -> None:
    assert title_words(a) == title_words(b)


@pytest.mark.parametrize(("a", "b"), [
    ("C++ Engineer", "C# Engineer"), ("Senior Engineer", "Staff Engineer"),
    ("Software Engineer I", "Software Engineer II"), ("Backend Engineer", "Frontend Engineer"),
    ("Business Developer", "Business Engineer"), ("Junior Accountant", "Senior Accountant"),
    ("Store Manager - Store #1123", "Store Manager - Store #0871"),
    ("Registered Nurse - ICU", "Registered Nurse - ER"),
])
def test_different_titles_keep_different_words(a: str, b: str) -> None:
    assert title_words(a) != title_words(b)


def test_the_postings_own_city_leaves_the_title_and_levels_shifts_numbers_are_sorted_out() -> None:
    berlin = title_words("Senior Backend Engineer - Berlin", "berlin")
    night = title_words("Warehouse Associate - Night Shift - Store #12")

    assert berlin.words == {"senior", "backend", "engineer"}
    assert title_words("Senior Backend Engineer - Berlin").words >= {"berlin"}
    assert (berlin.levels, night.levels) == (frozenset({"senior"}), frozenset())
    assert (night.shifts, night.numbers) == (frozenset({"night"}), frozenset({"#12"}))


def test_display_title_drops_gender_tags_only() -> None:
    assert job_title("  Data  Engineer (m/w/d) ") == "Data Engineer"


@pytest.mark.parametrize(("raw", "city", "region", "country", "workplace", "key"), [
    ("Remote", None, None, None, Workplace.REMOTE, "remote"),
    ("Remote - US", None, None, "US", Workplace.REMOTE, "remote"),
    ("Anywhere", None, None, None, Workplace.REMOTE, "remote"),
    ("New York, NY", "New York", "NY", "US", Workplace.ONSITE, "new york"),
    ("New York, NY, United States", "New York", "NY", "US", Workplace.ONSITE, "new york"),
    ("NYC", "NYC", None, None, Workplace.ONSITE, "new york"),
    ("Berlin, Germany", "Berlin", None, "DE", Workplace.ONSITE, "berlin"),
    ("Berlin, DE", "Berlin", None, "DE", Workplace.ONSITE, "berlin"),
    ("Dover, DE", "Dover", "DE", "US", Workplace.ONSITE, "dover"),
    ("Toronto, CA", "Toronto", None, "CA", Workplace.ONSITE, "toronto"),
    ("San Jose, CA", "San Jose", "CA", "US", Workplace.ONSITE, "san jose"),
    ("Mumbai, IN", "Mumbai", None, "IN", Workplace.ONSITE, "mumbai"),
    ("Indianapolis, IN", "Indianapolis", "IN", "US", Workplace.ONSITE, "indianapolis"),
    ("Paris, FR", "Paris", None, "FR", Workplace.ONSITE, "paris"),
    ("Columbus, OH 43215", "Columbus", "OH", "US", Workplace.ONSITE, "columbus"),
    ("10115 Berlin", "Berlin", None, None, Workplace.ONSITE, "berlin"),
    ("Leicester LE4", "Leicester", None, None, Workplace.ONSITE, "leicester"),
    ("Berlin (Hybrid)", "Berlin", None, None, Workplace.HYBRID, "berlin"),
    ("München, Deutschland", "München", None, "DE", Workplace.ONSITE, "munich"),
    ("San Francisco, CA (Hybrid)", "San Francisco", "CA", "US", Workplace.HYBRID,
     "san francisco"),
    ("Toronto, ON, Canada", "Toronto", "ON", "CA", Workplace.ONSITE, "toronto"),
    ("London, United Kingdom", "London", None, "GB", Workplace.ONSITE, "london"),
    ("Paris, France - On-site", "Paris", None, "FR", Workplace.ONSITE, "paris"),
    ("California", None, "CA", "US", Workplace.ONSITE, "california"),
    ("New York", "New York", None, None, Workplace.ONSITE, "new york"),
    ("", None, None, None, None, ""),
])
def test_locations_are_split_into_city_region_country_and_workplace(
    raw: str, city: str | None, region: str | None, country: str | None,
    workplace: Workplace | None, key: str,
) -> None:
    place = parse_location(raw)

    assert (place.city, place.region, place.country, place.workplace, place.key) == (
        city, region, country, workplace, key)


@pytest.mark.parametrize(("raw", "kind"), [
    ("Full-time", EmploymentType.FULL_TIME), ("FULL_TIME", EmploymentType.FULL_TIME),
    ("Vollzeit", EmploymentType.FULL_TIME), ("Permanent", EmploymentType.FULL_TIME),
    ("Part time", EmploymentType.PART_TIME), ("Contractor", EmploymentType.CONTRACT),
    ("Fixed-term contract", EmploymentType.CONTRACT), ("Temporary", EmploymentType.TEMPORARY),
    ("Internship", EmploymentType.INTERNSHIP), ("Werkstudent", EmploymentType.INTERNSHIP),
    ("Freelance", EmploymentType.FREELANCE), ("", None), ("whatever suits", None),
])
def test_employment_types_are_mapped(raw: str, kind: EmploymentType | None) -> None:
    assert employment_type(raw) == kind


Y, H, M = Period.YEAR, Period.HOUR, Period.MONTH


@pytest.mark.parametrize(("text", "salary"), [
    ("$120k\u2013$150k a year", Salary(120_000, 150_000, "USD", Y)),
    ("\u20ac50,000 - 60,000", Salary(50_000, 60_000, "EUR", Y)),
    ("\u20ac50.000 - 60.000 brutto/Jahr", Salary(50_000, 60_000, "EUR", Y)),
    ("$25 - $30 an hour", Salary(25, 30, "USD", H)),
    ("\u00a345.50/hr", Salary(45.5, 45.5, "GBP", H)),
    ("\u00a33,000 per month", Salary(3_000, 3_000, "GBP", M)),
    ("$120-150K", Salary(120_000, 150_000, "USD", Y)),
    ("USD 100,000 to 120,000 per year", Salary(100_000, 120_000, "USD", Y)),
    ("CHF 120 000 - 140 000 p.a.", Salary(120_000, 140_000, "CHF", Y)),
    ("Up to $90k", Salary(None, 90_000, "USD", Y)),
    ("From \u20ac40k per annum", Salary(40_000, None, "EUR", Y)),
])
def test_salaries_are_parsed(text: str, salary: Salary) -> None:
    assert parse_salary(text).salary == salary


def test_a_period_guessed_from_the_amount_is_noted() -> None:
    reading = parse_salary("\u20ac50,000 - 60,000")

    assert reading.notes == ("salary period inferred as year from the amount",)


def test_a_reversed_range_is_swapped_with_a_reason() -> None:
    reading = parse_salary("$150,000 - $120,000 a year")

    assert reading.salary == Salary(120_000, 150_000, "USD", Y)
    assert reading.notes == ("salary min 150000 > max 120000: swapped",)


def test_a_range_reversed_by_more_than_tenfold_is_dropped_with_a_reason() -> None:
    reading = parse_salary("$150k - 120 a year")

    assert reading.salary is None
    assert "dropped: min 150000 > max 120" in reading.notes[0]


@pytest.mark.parametrize(("minimum", "maximum", "note"), [
    (-5.0, 10.0, "min -5 is not a plausible amount"),
    (10.0, 1e12, "max 1e+12 is not a plausible amount"),
])
def test_implausible_structured_pay_is_dropped(minimum: float, maximum: float, note: str) -> None:
    reading = checked(minimum, maximum, "usd", "YEARLY")

    assert reading.salary is None
    assert note in reading.notes[0]


def test_structured_pay_is_checked_too() -> None:
    reading = checked(90.0, 80.0, "usd", "per hour")

    assert reading.salary == Salary(80, 90, "USD", H)
    assert reading.notes == ("salary min 90 > max 80: swapped",)


def test_text_without_pay_is_noted_not_guessed() -> None:
    assert parse_salary("Competitive").salary is None
    assert parse_salary("").notes == ()


@given(st.text(max_size=60))
def test_salary_parsing_never_fails_and_keeps_min_below_max(text: str) -> None:
    salary = parse_salary(text).salary
    if salary is not None and salary.minimum is not None and salary.maximum is not None:
        assert salary.minimum <= salary.maximum


@given(st.text(max_size=80))
def test_location_parsing_never_fails(text: str) -> None:
    parse_location(text)


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-01-05T10:15:00-05:00", datetime(2026, 1, 5, 15, 15, tzinfo=UTC)),
    ("2026-01-05T10:15:00Z", datetime(2026, 1, 5, 10, 15, tzinfo=UTC)),
    ("2026-01-05", datetime(2026, 1, 5, tzinfo=UTC)),
    (1767600000000, datetime(2026, 1, 5, 8, 0, tzinfo=UTC)),  # Lever: epoch milliseconds
    (1767600000, datetime(2026, 1, 5, 8, 0, tzinfo=UTC)),
    (datetime(2026, 1, 5, 12, 0, tzinfo=timezone(timedelta(hours=2))),
     datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
    (None, None),
])
def test_times_are_converted_to_utc(value: datetime | str | int | None,
                                    expected: datetime | None) -> None:
    result = to_utc(value)
    assert result == expected
    assert result is None or result.utcoffset() == timedelta(0)


def test_a_time_that_is_not_iso_is_refused() -> None:
    with pytest.raises(ValueError, match="not an ISO 8601 time"):
        to_utc("next Tuesday")


def event(**overrides: object) -> JobDiscovered:
    fields: dict[str, object] = {
        "source_job_key": "lever:abc", "source": "lever", "external_id": "abc",
        "company": "Acme, Inc.", "title": "Sr. Backend Engineer (m/w/d)",
        "location": "Berlin, Germany (Hybrid)", "description": "Build things.",
        "apply_url": "https://jobs.lever.co/acme/abc/apply",
        "posted_at": "2026-01-05T10:15:00+01:00", "raw_document_id": "lever:abc",
        "employment_type": "Full-time", "salary_text": "\u20ac70.000 - 60.000 per year",
        "expires_at": "2026-03-01T00:00:00-05:00",
    }
    return JobDiscovered.model_validate(fields | overrides)


def test_a_posting_is_normalised_field_by_field() -> None:
    posting = normalise_posting(event())

    assert (posting.company, posting.title) == ("Acme, Inc.", "Sr. Backend Engineer")
    place = posting.location_parts
    assert (place.city, place.country, place.workplace) == ("Berlin", "DE", Workplace.HYBRID)
    assert posting.employment_type == EmploymentType.FULL_TIME
    assert posting.salary == Salary(60_000, 70_000, "EUR", Y)
    assert posting.notes == ("salary min 70000 > max 60000: swapped",)
    assert posting.posted_at == datetime(2026, 1, 5, 9, 15, tzinfo=UTC)
    assert posting.expires_at == datetime(2026, 3, 1, 5, 0, tzinfo=UTC)


def test_spellings_of_one_posting_share_a_fingerprint_and_the_run_id_is_not_content() -> None:
    a = normalise_posting(event())
    b = normalise_posting(event(company="ACME", title="Senior Backend Engineer",
                                location="Berlin", run_id="run-2"))

    assert a.fingerprint == b.fingerprint
    assert normalise_posting(event(run_id="x")).content_hash == a.content_hash
    assert same_job(a, b)
    assert not same_job(normalise_posting(event(title="Backend Engineer")), a)


def test_structured_salary_wins_over_text() -> None:
    posting = normalise_posting(event(salary_min=50.0, salary_max=60.0, salary_currency="usd",
                                      salary_period="hour"))

    assert posting.salary == Salary(50, 60, "USD", H)


@pytest.mark.parametrize(("payload", "message"), [
    ({"source": "lever"}, "source_job_key: Field required"),
    ([1, 2], "expected a JSON object, got list"),
    (event().model_dump(mode="json") | {"apply_url": "not a url"}, "apply_url"),
    (event().model_dump(mode="json") | {"title": ""}, "title"),
])
def test_malformed_payloads_are_refused_with_the_reason(payload: object, message: str) -> None:
    with pytest.raises(BadPayload, match=message):
        parse_payload(payload)  # type: ignore[arg-type]


def test_a_company_of_only_punctuation_is_refused() -> None:
    with pytest.raises(BadPayload, match="only punctuation"):
        normalise_posting(event(company="--"))


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
                    st.lists(st.text(max_size=5), max_size=3))
_PAYLOADS = st.fixed_dictionaries(
    {},
    optional={name: _VALUES for name in JobDiscovered.model_fields},
).map(lambda fuzz: event().model_dump(mode="json") | fuzz)


@given(_PAYLOADS)
def test_any_payload_is_either_normalised_or_refused_with_bad_payload(
    payload: dict[str, object]
) -> None:
    try:
        posting = normalise_posting(parse_payload(payload))
    except BadPayload as exc:
        assert str(exc)
        return
    assert posting.fingerprint and posting.content_hash
    if posting.salary and posting.salary.minimum and posting.salary.maximum:
        assert posting.salary.minimum <= posting.salary.maximum
