"""Facts that decide eligibility, read from resumes and job posts alike: degrees, licences and
certifications with their status, work authorisation, clearance, and the country of a place."""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from infra.places import CA_PROVINCE_CODES, CA_PROVINCES, US_STATE_CODES, US_STATES
from services.ats_engine.dates import MONTHS

Status = Literal["active", "pending", "expired"]
EDUCATION_NAMES = {0: "none stated", 1: "high school", 2: "associate", 3: "bachelor",
                   4: "master", 5: "doctorate"}

# Level, pattern. Abbreviations are case-sensitive ("MS" is a degree, "ms" is not).
_DEGREES: tuple[tuple[int, re.Pattern[str]], ...] = (
    (5, re.compile(r"\b(?:Ph\.?\s?D\.?|D\.?Phil|Doctor(?:ate)? of|[Dd]octorate|[Dd]octoral|"
                   r"Pharm\.?\s?D\.?|D\.?P\.?T\.?|DNP|M\.D\.|(?<!, )MD(?= |,|$)(?! Anderson)|"
                   r"J\.D\.|JD\b(?! Edwards)|"
                   r"Dr\.?-Ing\.?|Ed\.?D\.?)")),
    (4, re.compile(r"\b(?:[Mm]aster'?s(?: degree)?|[Mm]aster (?:of|in|degree)\b|M\.?Sc\.?|"
                   r"M\.?Eng\.?|MBA|M\.B\.A\.|(?<!\d )MPH|"
                   r"M\.?Ed\.?|M\.S\.|M\.A\.|(?<!, )MS(?= in | of |,|$)|"
                   r"(?<!, )MA(?= in | of | [A-Z][a-z]{3,}(?! \d))|"
                   r"MSN|MPA|MFA|LL\.?M\.?|MAT\b|M\.?Tech|M\.?Phil|Dipl\.?-Ing\.?|"
                   r"Diplom(?:-| )?(?:Ingenieur|Kaufmann)|PGCE|postgraduate (?:degree|diploma))")),
    (3, re.compile(r"\b(?:[Bb]achelor'?s(?: degree)?|[Bb]achelor (?:of|in|degree)\b|B\.?Sc\.?|"
                   r"B\.?Eng\.?|BBA|B\.B\.A\.|"
                   r"B\.S\.|B\.A\.|BSN|B\.S\.N\.|B\.?Tech\.?|B\.?Com\.?|B\.?Ed\.?|LL\.?B\.?|"
                   r"B\.S\.[A-Z]\.?[A-Z]?\.?|BS(?:[A-Z]{1,2})?(?= in | of |,| [A-Z]|$)|"
                   r"BA(?= in | of |,| \(| [A-Z][a-z]|$)|BE(?= in | \(|,)|B\.E\.|"
                   r"[Uu]ndergraduate degree|[Hh]onours degree|four-year degree|college degree|"
                   r"university degree)")),
    (2, re.compile(r"\b(?:[Aa]ssociate'?s?(?: degree| of | in )|A\.?A\.?S\.?\b|AAS\b|ADN\b|ASN\b|"
                   r"A\.S\.|A\.A\.|[Dd]iploma in|[Dd]iploma of|[Hh]igher [Nn]ational|HND|"
                   r"[Tt]rade school|[Vv]ocational (?:diploma|certificate)|City & Guilds|NVQ)")),
    (1, re.compile(r"\b(?:[Hh]igh [Ss]chool|GED\b|[Ss]econdary [Ss]chool|A-levels?|GCSEs?|"
                   r"HS [Dd]iploma)")),
)
_FIELD = re.compile(r"\b(?:in|of)\s+([A-Z][\w&/ -]{2,60})|[.)]\s+([A-Z][a-z][\w&/ -]{2,50})")


@dataclass(frozen=True)
class Degree:
    level: int
    name: str
    field: str
    line: str


def degrees_in(text: str) -> list[Degree]:
    """Every degree a text names, one per line (the highest on that line)."""
    found = []
    for line in text.splitlines():
        for level, pattern in _DEGREES:
            match = pattern.search(line)
            if match:
                field_match = _FIELD.search(line, match.start())
                field = next((g for g in field_match.groups() if g), "") if field_match else ""
                found.append(Degree(level, match.group().strip(), field.strip(" ,-"),
                                    line.strip()))
                break
    return found


def degree_level(text: str) -> int:
    return max((d.level for d in degrees_in(text)), default=0)


# Credential -> pattern (case-sensitive abbreviations, case-insensitive words inside).
_CREDENTIALS: dict[str, str] = {
    "RN licence": r"\bRN\b|\bR\.N\.|[Rr]egistered [Nn]urse|NCLEX(?:-RN)?",
    "LPN licence": r"\bLPN\b|\bLVN\b|[Ll]icensed [Pp]ractical [Nn]urse",
    "Nurse practitioner licence": r"\bAPRN\b|\bFNP(?:-BC)?\b|[Nn]urse [Pp]ractitioner",
    "Pharmacist licence": r"[Rr]egistered [Pp]harmacist|[Ll]icensed [Pp]harmacist|GPhC|"
                          r"[Pp]harmacist licen[cs]e|NAPLEX",
    "Physical therapist licence": r"[Ll]icensed [Pp]hysical [Tt]herapist|\bPT licen[cs]e|"
                                  r"[Pp]hysical [Tt]herapist licen[cs]e|"
                                  r"HCPC[- ]registered [Pp]hysio\w*",
    "Respiratory therapist credential": r"\bRRT\b|\bCRT\b",
    "CPA": r"\bCPA\b|[Cc]ertified [Pp]ublic [Aa]ccountant",
    "ACCA": r"\bACCA\b|\bFCCA\b",
    "CMA": r"\bCMA\b(?! \(AAMA)(?!,? [Cc]ertified [Mm]edical)|[Cc]ertified [Mm]anagement "
           r"[Aa]ccountant",
    "CFA": r"\bCFA\b",
    "Chartered accountant": r"\bACA\b|ICAEW|[Cc]hartered [Aa]ccountant",
    "CIMA": r"\bCIMA\b|\bACMA\b",
    "Payroll certification": r"\bCPP\b(?! (?:deductions|contributions|and EI))|\bFPC\b|"
                             r"[Cc]ertified [Pp]ayroll [Pp]rofessional",
    "PE licence": r"\bP\.E\.(?!\w)|[Pp]rofessional [Ee]ngineer(?:ing)? licen[cs]e|"
                  r"[Ll]icensed [Pp]rofessional [Ee]ngineer|(?<!,\x20)(?<![Tt]aught\x20)\bPE\b"
                  r"(?! (?:teacher|class|department|curriculum|lessons?|to|and)\b)(?!-)",
    "EIT": r"\bEIT\b|\bE\.I\.T\.|[Ee]ngineer[- ]in[- ][Tt]raining|\bFE [Ee]xam|\bFE\b(?= passed)",
    "CSWP": r"\bCSWP\b",
    "PMP": r"\bPMP\b|[Pp]roject [Mm]anagement [Pp]rofessional",
    "SHRM certification": r"SHRM-S?CP",
    "HR certification": r"\bS?PHR\b|\bCIPD\b",
    "Bar admission": r"[Aa]dmitted to (?:practi[cs]e (?:law )?in |the )?(?:[A-Z][\w.]* ){0,3}"
                     r"[Bb]ar|[Bb]ar [Aa]dmissions?|[Mm]ember of the (?:[A-Z][\w.]* ){0,3}[Bb]ar|"
                     r"State Bar of|\b[Bb]ar(?: exam| results| candidate)|"
                     r"[Ss]olicitor of the|[Aa]ttorney licen[cs]e|[Ll]icensed attorney|"
                     r"in good standing with the .{0,30}[Bb]ar|\b[Bb]ar\b(?=:)|"
                     r"[Aa]dmitted in (?:[A-Z]\w+ ){0,2}\((?:bar|Bar)\)",
    "Teaching licence": r"[Tt]eaching (?:[Ll]icen[cs]e|[Cc]ertificat\w*|[Cc]redential|"
                        r"[Pp]ermit)|[Cc]ertified [Tt]eacher|\bQTS\b|[Qq]ualified [Tt]eacher "
                        r"[Ss]tatus|[Ss]tate [Tt]eaching|[Ee]ducator [Ll]icen[cs]e|"
                        r"[Tt]eacher [Cc]ertification|[Ii]nitial [Ll]icen[cs]e|"
                        r"[Pp]rofessional [Ll]icen[cs]e \(",
    "CDL": r"\bCDL\b|[Cc]ommercial [Dd]river'?s? [Ll]icen[cs]e",
    "EPA 608": r"EPA(?: Section)? 608|608 [Uu]niversal|EPA [Uu]niversal",
    "Journeyman licence": r"[Jj]ourneyman(?: [Ee]lectrician(?:'?s)?| [Ww]ireman| [Pp]lumber)? "
                          r"[Ll]icen[cs]e|[Ll]icensed [Jj]ourneyman|[Jj]ourneyman [Cc]ard",
    "Master electrician licence": r"[Mm]aster [Ee]lectrician(?:'?s)? [Ll]icen[cs]e|"
                                  r"[Ll]icensed [Mm]aster [Ee]lectrician",
    "Electrical licence": r"[Ee]lectrical (?:[Ll]icen[cs]e|[Ww]orker [Ll]icen[cs]e)|"
                          r"[Ll]icensed [Ee]lectrician|[Ee]lectrician(?:'?s)? [Ll]icen[cs]e|"
                          r"[Rr]ed [Ss]eal|\b309A\b|A-[Gg]rade [Ee]lectrical|18th [Ee]dition",
    "Certified welder": r"AWS D1\.\d|\bD1\.1\b|AWS (?:CWI|[Cc]ertified [Ww]eld\w+)|"
                        r"[Cc]ertified [Ww]elder|"
                        r"\bCWI\b|ASME (?:Section )?IX|[Ww]elding [Cc]ertificat\w+",
    "OSHA": r"OSHA[- ]?(?:10|30)",
    "Heavy vehicle licence": r"\b(?:HR|HC|MR|MC) (?:class )?[Ll]icen[cs]e|[Hh]eavy [Rr]igid|"
                             r"[Hh]eavy [Cc]ombination|[Cc]lass (?:HR|HC|MR|MC)\b",
    "Driver licence": r"[Dd]river'?s'? [Ll]icen[cs]e|[Dd]riving [Ll]icen[cs]e|"
                      r"[Dd]river [Ll]icen[cs]e",
    "School administrator licence": r"[Pp]rincipal(?:'s)? [Ll]icen[cs]\w*|"
                                    r"(?:[Ss]chool|[Ee]ducational) [Aa]dministrat\w+ "
                                    r"[Ll]icen[cs]\w*|"
                                    r"[Aa]dministrative [Ss]ervices [Cc]redential",
    "Six Sigma belt": r"(?:[Gg]reen|[Bb]lack|[Yy]ellow) [Bb]elt",
    "BLS": r"\bBLS\b",
    "ACLS": r"\bACLS\b",
    "Security+": r"Security\+",
}
# A credential's words may wrap onto the next line in a narrow column.
_COMPILED = {name: re.compile(pattern.replace(" ", r"\s+"))
             for name, pattern in _CREDENTIALS.items()}
# Licences a post can make a hard requirement (certifications such as BLS are skills-like).
LICENCES = frozenset({
    "RN licence", "LPN licence", "Nurse practitioner licence", "Pharmacist licence",
    "Physical therapist licence", "CPA", "PE licence", "Bar admission", "Teaching licence",
    "CDL", "EPA 608", "Journeyman licence", "Master electrician licence", "Electrical licence",
    "Certified welder", "Payroll certification", "SHRM certification", "PMP", "CSWP", "ACCA",
    "Respiratory therapist credential", "Heavy vehicle licence", "Driver licence",
    "School administrator licence", "CFA", "Chartered accountant", "CMA",
})
# Names that are also job titles: a post's line asks for the licence only if it says so.
TITLE_LIKE = frozenset({"RN licence", "LPN licence", "Nurse practitioner licence",
                        "Pharmacist licence", "Physical therapist licence", "Journeyman licence",
                        "Master electrician licence"})
_PENDING = re.compile(
    r"\b(?:pending|in progress|candidate|scheduled|expected|anticipated|sitting|to sit|will sit|"
    r"awaiting|preparing|studying|eligible|applied for|application submitted|in process|"
    r"exam (?:date|booked|in)|not yet|working towards|working toward|pursuing|en route|"
    r"(?:part|level) (?:i|ii|1|2|one|two) (?:passed|candidate|complete)|provisional|"
    r"results due|once (?:licensed|admitted)|intern(?:ship)? (?:licen[cs]e|permit)|student|"
    r"part[- ]qualified|finalist|affiliate|lodged|submitted|enrolled|"
    r"\d+ (?:of|/) \d+ (?:exams|papers|parts|modules)|exams? (?:passed|completed))\b", re.I)
_EXPIRED = re.compile(r"\b(?:expired|lapsed|inactive|suspended|revoked|not renewed|"
                      r"no longer (?:active|valid|held)|not current|retired status)\b", re.I)
_VALID_UNTIL = re.compile(r"\b(?:exp(?:ires|ired|iry|\.)?|valid (?:through|thru|until|to)|"
                          r"good (?:through|until)|renew(?:al|s)? (?:due )?(?:in|by)?)\s*:?\s*"
                          r"(?P<until>(?:\d{1,2}[/.-]){0,2}(?:[A-Za-z]{3,9}\.? )?(?:\d{1,2},? )?"
                          r"(?:19|20)\d\d)", re.I)
_STATUS_WINDOW = 70
_CLAUSE = r"[;•|]|,\s(?=[A-Z]{2,}\b)"  # "RN, active; ACLS expired", "RN, BLS, ACLS (lapsed)"


@dataclass(frozen=True)
class Credential:
    name: str
    status: Status
    text: str  # the words that named it, with what says its status
    start: int
    mention: str = ""  # the name as written ("CPA", "Registered Nurse")


def line_status(context: str, today: date) -> Status:
    """The status a clause gives its credential ("valid through 2029", "pending")."""
    if _EXPIRED.search(context):
        return "expired"
    if _PENDING.search(context):
        return "pending"
    until = _VALID_UNTIL.search(context)
    if until:
        last = _last_day(until.group("until"))
        if last is not None and last < today:
            return "expired"
    return "active"


def _last_day(raw: str) -> date | None:
    """The day a "valid through" date ends: "07/31/2026", "June 30, 2029", "2027"."""
    year = int(re.findall(r"(?:19|20)\d\d", raw)[-1])
    month_name = re.search(r"[A-Za-z]{3,9}", raw)
    numbers = [int(n) for n in re.findall(r"\b\d{1,2}\b", raw)]
    month = MONTHS.get(month_name.group()[:3].lower()) if month_name else None
    if month is None and numbers:
        month = next((n for n in numbers if 1 <= n <= 12), None)
    if month is None:
        return date(year, 12, 31)
    return date(year, month, calendar.monthrange(year, month)[1])





def credentials_in(text: str, today: date) -> list[Credential]:
    """Every licence or certification a text names, with the status its own clause gives."""
    found: list[Credential] = []
    for name, pattern in _COMPILED.items():
        for match in pattern.finditer(text):
            line_start = text.rfind("\n", 0, match.start()) + 1
            line_end = text.find("\n", match.end())
            line_end = len(text) if line_end == -1 else line_end
            # The clause around the mention: a status word elsewhere on a long line is another
            # credential's ("RN, active; ACLS expired").
            left = max(line_start, match.start() - _STATUS_WINDOW)
            right = min(line_end, match.end() + _STATUS_WINDOW)
            clause = text[left:right]
            before, after = clause[:match.start() - left], clause[match.end() - left:]
            before = re.split(_CLAUSE, before)[-1]
            after = re.split(_CLAUSE, after)[0]
            found.append(Credential(name, line_status(before + " " + after, today),
                                    text[line_start:line_end].strip()[:200], match.start(),
                                    match.group()))
    return sorted(found, key=lambda c: c.start)


# ---- work authorisation, clearance, countries ----

_COUNTRY_WORDS: dict[str, str] = {
    "us": "US", "u.s.": "US", "u.s": "US", "usa": "US", "u.s.a.": "US", "united states": "US",
    "america": "US", "american": "US", "uk": "UK", "u.k.": "UK", "united kingdom": "UK",
    "britain": "UK", "british": "UK", "england": "UK", "scotland": "UK", "wales": "UK",
    "canada": "CA", "canadian": "CA", "germany": "DE", "german": "DE", "deutschland": "DE",
    "eu": "EU", "european union": "EU", "eea": "EU", "europe": "EU", "ireland": "IE",
    "irish": "IE", "australia": "AU", "australian": "AU", "india": "IN", "indian": "IN",
    "netherlands": "NL", "dutch": "NL", "france": "FR", "french": "FR", "spain": "ES",
    "italy": "IT", "poland": "PL", "polish": "PL", "mexico": "MX", "mexican": "MX",
    "brazil": "BR", "brazilian": "BR", "philippines": "PH", "filipino": "PH", "nigeria": "NG",
    "nigerian": "NG", "singapore": "SG", "singaporean": "SG", "south africa": "ZA",
    "new zealand": "NZ", "sweden": "SE", "switzerland": "CH", "austria": "AT", "portugal": "PT",
    "belgium": "BE", "denmark": "DK", "norway": "NO", "finland": "FI", "japan": "JP",
    "china": "CN", "pakistan": "PK", "egypt": "EG", "kenya": "KE", "uae": "AE",
    "dubai": "AE", "argentina": "AR", "colombia": "CO", "chile": "CL", "vietnam": "VN",
}
EU_MEMBERS = frozenset({"DE", "IE", "NL", "FR", "ES", "IT", "PL", "SE", "AT", "PT", "BE",
                        "DK", "FI"})
_US_STATES = US_STATE_CODES
_CA_PROVINCES = CA_PROVINCE_CODES
_COUNTRY = re.compile(r"\b(" + "|".join(sorted((re.escape(w) for w in _COUNTRY_WORDS),
                                               key=len, reverse=True)) + r")(?![\w])", re.I)
_CITIES = {"london": "UK", "manchester": "UK", "toronto": "CA", "vancouver": "CA",
           "berlin": "DE", "munich": "DE", "dublin": "IE", "sydney": "AU", "melbourne": "AU",
           "bangalore": "IN", "bengaluru": "IN", "mumbai": "IN", "delhi": "IN", "pune": "IN",
           "hyderabad": "IN", "chennai": "IN", "amsterdam": "NL", "paris": "FR",
           "manila": "PH", "lagos": "NG", "warsaw": "PL", "krakow": "PL", "são paulo": "BR",
           "sao paulo": "BR", "mexico city": "MX", "guadalajara": "MX", "johannesburg": "ZA",
           "cape town": "ZA", "calgary": "CA", "montreal": "CA", "edinburgh": "UK",
           "hamburg": "DE", "frankfurt": "DE", "stuttgart": "DE", "cologne": "DE"}


# States and provinces by name, to their codes (licences are issued by them).
REGIONS = {**US_STATES, **CA_PROVINCES, "england": "UK", "scotland": "UK", "victoria": "VIC",
           "new south wales": "NSW", "queensland": "QLD"}
_REGION_COUNTRY = {"VIC": "AU", "NSW": "AU", "QLD": "AU", "UK": "UK"}


def region_of(place: str) -> str | None:
    """The state or province a place names ("Naperville, Illinois" is IL), else its country."""
    for segment in reversed([s.strip() for s in re.split(r"[,(/)]", place) if s.strip()]):
        segment = re.sub(r"\s+\d{4,5}(?:-\d{4})?$", "", segment)
        if segment in _US_STATES or segment in _CA_PROVINCES:
            return segment
        if segment.lower() in REGIONS:
            return REGIONS[segment.lower()]
    return country_of(place)


@functools.lru_cache(maxsize=16_384)  # asked of the same few places for every pair scored
def country_of(place: str, *, strict: bool = False) -> str | None:
    """The country a place names ("Tacoma, WA" is US, "Toronto, ON" CA), or None; `strict`
    reads only whole segments, never a country word inside a name ("French Teacher")."""
    for segment in reversed([s.strip() for s in re.split(r"[,(/)]", place) if s.strip()]):
        segment = re.sub(r"\s+\d{4,5}(?:-\d{4})?$", "", segment)  # "OH 43214", "VIC 3174"
        if segment in _US_STATES:
            return "US"
        if segment in _CA_PROVINCES:
            return "CA"
        match = _COUNTRY.fullmatch(segment)
        if match:
            return _COUNTRY_WORDS[match.group(1).lower()]
        city = _CITIES.get(segment.lower())
        if city:
            return city
        region = REGIONS.get(re.sub(r"\s+[A-Z0-9]{1,4}\s?\d[\w ]*$|\s+\d{4,5}(?:-\d{4})?$", "",
                                    segment).lower())
        if region:
            code = _REGION_COUNTRY.get(region)
            return code or ("CA" if region in _CA_PROVINCES else "US")
    if strict:
        return None
    match = _COUNTRY.search(place)
    return _COUNTRY_WORDS[match.group(1).lower()] if match else None


_NEEDS_SPONSORSHIP = re.compile(
    r"\b(?:(?:require|need|will need|seeking|would need|requiring|needing)s?\s+(?:an?\s+)?"
    r"(?:employer\s+)?(?:visa\s+|H-?1B\s+|work\s+|Tier\s*2\s+|skilled worker\s+)?"
    r"(?:sponsorship|visa|work permit|permit)\b|(?:visa|H-?1B|Tier\s*2|Blue Card|work permit|"
    r"skilled worker visa)\s+(?:sponsorship\s+)?(?:required|needed|necessary)|"
    r"sponsorship (?:required|needed)|(?:H-?1B|Blue Card|Tier\s*2|skilled worker) "
    r"(?:visa )?(?:transfer|application|eligible|candidate|route)|"
    r"(?:on|holds?|holding|currently on) (?:an? )?(?:F-?1|OPT|H-?4|student visa|dependent visa|"
    r"tourist visa)|eligible for (?:an? )?(?:EU )?Blue Card|STEM OPT|OPT EAD|\bF-1\b|"
    r"graduate route visa|post-study work visa)", re.I)
_NO_SPONSORSHIP_NEEDED = re.compile(
    r"\b(?:(?:do(?:es)?|will) not (?:require|need) (?:visa |any )?sponsorship|"
    r"no (?:visa )?sponsorship (?:required|needed)|without (?:the need for )?sponsorship)", re.I)
_AUTHORISED = re.compile(
    r"\b(?:(?P<citizen>[A-Z][a-zA-Z.]+(?: [A-Z][a-z]+)?) (?:citizen(?:ship)?|national|passport)|"
    r"citizen of (?:the )?(?P<citizen_of>[A-Z][\w. ]{1,25})|"
    r"(?i:nationality|citizenship)\s*[:\-]\s*(?P<nationality>[A-Z][\w.]+(?: [A-Z][\w.]+)?)|"
    r"(?P<green>(?i:green card|permanent resident|lawful permanent|PR holder|"
    r"indefinite leave to remain|settled status)|ILR)|"
    r"(?i:authori[sz]ed|eligible|entitled|permitted|cleared|free|able|legally allowed) to work "
    r"(?:\w+ ){0,3}in (?:the )?(?P<where>[A-Z][\w. ]{1,25})|"
    r"(?i:right|permission|authori[sz]ation) to work (?:\w+ ){0,2}in (?:the )?"
    r"(?P<right>[A-Z][\w. ]{1,25})|(?P<eu>EU|EEA) (?i:work permit|work authori[sz]ation)|"
    r"(?P<openpermit>(?i:open work permit)))")


@dataclass(frozen=True)
class Authorisation:
    """What a resume says about the candidate's right to work."""

    needs_sponsorship: bool | None  # None: it does not say
    countries: frozenset[str]  # where it says the candidate may work (citizen, resident...)
    statement: str = ""
    citizen: frozenset[str] = frozenset()  # citizenships it states
    resident_only: bool = False  # a green card or permanent residence, no citizenship


def authorisation_in(text: str, home: str | None) -> Authorisation:
    """Work-authorisation facts of a resume; `home` is the country of the candidate's place."""
    countries: set[str] = set()
    citizen: set[str] = set()
    resident = False
    statement = ""
    for match in _AUTHORISED.finditer(text):
        raw = next((match.group(g) for g in ("citizen", "citizen_of", "nationality", "where",
                                              "right")
                    if match.group(g)), None)
        if raw is not None:
            country = country_of(raw)
            if country:
                countries.add(country)
                if match.group("citizen") or match.group("citizen_of") \
                        or match.group("nationality"):
                    citizen.add(country)
        elif match.group("green"):
            resident = True
            countries.add(home or "US")
        elif match.group("eu"):
            countries.add("EU")
        elif match.group("openpermit"):
            countries.add(home or "CA")
        statement = statement or _line(text, match.start())
    if countries & EU_MEMBERS:
        countries.add("EU")
    facts = {"countries": frozenset(countries), "citizen": frozenset(citizen),
             "resident_only": resident and not citizen}
    no_need = _NO_SPONSORSHIP_NEEDED.search(text)
    if no_need:
        return Authorisation(False, statement=statement or _line(text, no_need.start()),
                             **facts)  # type: ignore[arg-type]
    needs = _NEEDS_SPONSORSHIP.search(text)
    if needs:
        return Authorisation(True, statement=_line(text, needs.start()),
                             **facts)  # type: ignore[arg-type]
    return Authorisation(None, statement=statement, **facts)  # type: ignore[arg-type]


_CLEARANCE = re.compile(
    r"\b(?P<level>TS/SCI|top secret|secret|public trust|SC|DV|NV1|NV2|baseline)"
    r"(?:\s*(?:/|with)\s*(?:SCI|poly(?:graph)?|full scope poly|CI poly))?\s+"
    r"(?:security\s+)?clearance|\bclearance\s*[:(-]\s*(?P<level2>TS/SCI|top secret|secret|TS)|"
    r"\b(?:DoD|NATO|active|interim|final)\s+(?P<level3>TS/SCI|top secret|secret)\b",
    re.I)
_CLEARANCE_RANKS = {"public trust": 1, "baseline": 1, "secret": 2, "sc": 2, "nv1": 2,
                    "ts": 3, "top secret": 3, "ts/sci": 4, "dv": 4, "nv2": 3}


def clearance_in(text: str, today: date) -> tuple[int, Status] | None:
    """(rank, status) of the highest clearance a text names."""
    best: tuple[int, Status] | None = None
    for match in _CLEARANCE.finditer(text):
        rank = _CLEARANCE_RANKS.get(_level(match), 2)
        context = text[max(0, match.start() - 40): match.end() + 40]
        status = line_status(context, today)
        if re.search(r"\b(?:able to obtain|ability to obtain|eligible for|obtainable|"
                     r"can obtain)\b", context, re.I):
            status = "pending"
        if best is None or (status == "active", rank) > (best[1] == "active", best[0]):
            best = (rank, status)
    return best


def clearance_rank(text: str) -> int:
    match = _CLEARANCE.search(text)
    if not match:
        return 0
    return _CLEARANCE_RANKS.get(_level(match), 2)


def _level(match: re.Match[str]) -> str:
    return (match.group("level") or match.group("level2") or match.group("level3") or "").lower()


def _line(text: str, position: int) -> str:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start: end if end != -1 else len(text)].strip()[:200]
