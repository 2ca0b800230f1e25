"""Hard requirements of a post (licences, right to work, clearance, where one must live) and
what a resume shows for each: met, unknown (a person must look) or contradicted (reject).

None of these is ever passed silently: a post that asks for an active licence is not matched
by a resume that never mentions one, however good the rest is."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from schemas.events.matching import quote_resume
from services.ats_engine.credentials import (
    EU_MEMBERS,
    LICENCES,
    REGIONS,
    TITLE_LIKE,
    Credential,
    clearance_rank,
    country_of,
    credentials_in,
    degree_level,
    line_status,
)
from services.ats_engine.languages import NAMES, SPOKEN_IN, asked_levels
from services.ats_engine.resume import ResumeProfile

Kind = Literal["licence", "authorisation", "citizenship", "clearance", "residence", "language"]
Verdict = Literal["met", "unknown", "contradicted"]

_NO_SPONSORSHIP = re.compile(
    r"\b(?:no (?:visa |work )?sponsorship|(?:unable|not able|cannot|can ?not|can't|do not|don't|"
    r"does not|will not|won't|are not able to|is not able to) (?:to )?(?:currently )?"
    r"(?:provide |offer |support )?(?:visa |immigration |work permit )?sponsor(?:ship)?|"
    r"without (?:the need for )?(?:current or future )?(?:visa |employer )?sponsorship|"
    r"sponsorship (?:is )?not (?:available|provided|offered|possible)|"
    r"not (?:in a position to|able to) sponsor)", re.I)
_MUST_BE_AUTHORISED = re.compile(
    r"\b(?:(?:must|need to|needs to|required to|should|will need to) (?:already )?"
    r"(?:be|have|hold|possess)\s+(?:legally |currently )?(?:(?:authori[sz]ed|eligible|entitled|"
    r"permitted) to work|(?:the |an? |existing |full |unrestricted |valid )*(?:right|"
    r"authori[sz]ation|permission|permit|eligibility) to work|(?:an? )?(?:valid )?"
    r"(?:EU |UK |US )?work (?:permit|authori[sz]ation|visa))|"
    r"(?:existing|current|valid|full|unrestricted) (?:right|authori[sz]ation|eligibility) to "
    r"work|(?:right|authori[sz]ation|eligibility) to work in (?:the )?\w+ (?:is )?required|"
    r"work authori[sz]ation required)", re.I)
_SPONSORSHIP_OFFERED = re.compile(
    r"\b(?:(?:we|will|can|happy to|able to) (?:\w+ )?sponsor|sponsorship (?:is )?(?:available|"
    r"offered|provided|possible)|visa support|relocation and visa)", re.I)
_CITIZEN = re.compile(r"\b(?:must be an? (?:U\.?S\.?|US|United States|UK|British|Canadian|"
                      r"Australian) citizen|(?:U\.?S\.?|US|UK|British|Canadian|Australian) "
                      r"citizenship (?:is )?required|citizenship required|"
                      r"(?:U\.?S\.?|US) citizens only)", re.I)
# Words that make a line of a post a wish, not a requirement.
SOFT_LINE = re.compile(r"\b(?:preferred|nice to have|a plus|bonus|ideally|desirable|"
                       r"(?:is )?an advantage|would be great|not required)\b", re.I)
_ASKS_LICENCE = re.compile(r"\b(?:licen[cs]\w*|certif\w*|registration|board|admitted|"
                           r"admission|credential|permit)\b", re.I)
_OBTAIN = re.compile(r"\b(?:able to obtain|ability to obtain|eligible (?:to|for)|obtain and "
                     r"maintain|willing(?:ness)? to obtain|must obtain|can obtain)\b", re.I)
_RESIDENCE = re.compile(
    r"\bremote\s*[-\u2013(,:]?\s*\(?\s*(?P<remote>U\.?S\.?A?|United States|UK|United Kingdom|"
    r"Canada|"
    r"EU|Europe|Germany|Australia|India|Ireland)\s*(?:only|based|residents?)?\b\)?|"
    r"\b(?:must|need to|required to) (?:reside|live|be based|be located|be resident) in "
    r"(?:the )?(?P<must>[A-Z][\w. ]{1,20})|\b(?P<based>US|U\.S\.|UK|Canada|EU)[- ]based "
    r"(?:candidates|applicants) only|\bopen (?:only )?to (?:candidates|applicants) "
    r"(?:based |located |residing )?in (?:the )?(?P<open>[A-Z][\w. ]{1,20}?)(?: only)?\b|"
    r"\b(?:candidates|applicants) (?:must be )?(?:based|located|residing) in (?:the )?"
    r"(?P<cand>[A-Z][\w. ]{1,20}?) only\b", re.I)
_REQUIRED_WORDS = re.compile(r"\b(?:required|requires|require|must|need|needs|mandatory|"
                             r"essential|hold|holds|valid|in good standing)\b", re.I)
_PENDING_OK = re.compile(r"\b(?:or (?:be )?eligible|or (?:the )?ability to obtain|within "
                         r"(?:\d+|one|two|three|six|twelve) (?:months?|days|weeks|years?)|"
                         r"expected (?:within|by|after)|to be obtained|(?:a|the) path to|"
                         r"or (?:willing(?:ness)? to|able to) obtain|eligib\w+ (?:for|to sit)|"
                         r"or (?:equivalent|in progress)|new grads? welcome)\b", re.I)
# A licence that satisfies another one ("a master electrician holds a journeyman's too").
_SATISFIES: dict[str, tuple[str, ...]] = {
    "Journeyman licence": ("Master electrician licence", "Electrical licence"),
    "Electrical licence": ("Journeyman licence", "Master electrician licence"),
    "RN licence": ("Nurse practitioner licence",),
}


@dataclass(frozen=True)
class HardRequirement:
    kind: Kind
    name: str  # the licence, or the country
    line: str
    pending_ok: bool = False  # "or eligible", "within six months": in progress is enough
    rank: int = 0  # clearance level asked for
    active: bool = True  # clearance: already held, not only obtainable


@dataclass(frozen=True)
class Check:
    requirement: HardRequirement
    verdict: Verdict
    detail: str


def requirements_in_line(line: str, must: bool, job_country: str | None) -> list[HardRequirement]:
    """The hard requirements one line of a post states."""
    found: list[HardRequirement] = []
    asks = must or bool(_REQUIRED_WORDS.search(line))
    if asks and not SOFT_LINE.search(line):
        names = {c.name for c in credentials_in(line, date.min) if c.name in LICENCES
                 and (c.name not in TITLE_LIKE or _ASKS_LICENCE.search(line)
                      or re.fullmatch(r"[A-Z.]{2,6}", c.mention))}
        pending_ok = bool(_PENDING_OK.search(line))
        found += [HardRequirement("licence", name, line, pending_ok) for name in sorted(names)]
        rank = clearance_rank(line)
        if must and not names and not rank and _GENERIC_LICENCE.search(line) \
                and not degree_level(line):
            words = distinctive_words(line)
            if len(words) >= 2:  # "Active Oregon dental hygiene licence": known by its words
                found.append(HardRequirement("licence", _generic_name(line), line, pending_ok))
        if rank:
            found.append(HardRequirement("clearance", "clearance", line, rank=rank,
                                         active=not _OBTAIN.search(line)))
    for clause in re.split(r"[;.]\s|\s[-\u2013]\s", line):
        if (must or _REQUIRED_WORDS.search(clause)) and not SOFT_LINE.search(clause):
            found += [HardRequirement("language", language, line, rank=level)
                      for language, level in sorted(asked_levels(clause).items())]
    citizen = _CITIZEN.search(line)
    if citizen:
        found.append(HardRequirement("citizenship", country_of(citizen.group()) or "US", line))
    if (_NO_SPONSORSHIP.search(line) or _MUST_BE_AUTHORISED.search(line)) \
            and not _SPONSORSHIP_OFFERED.search(line):
        where = re.search(r"\b(?:in|within) (?:the )?([A-Z][\w.]*(?: [A-Z][\w.]*)?)", line)
        country = (country_of(where.group(1)) if where else None) or job_country
        if country:
            found.append(HardRequirement("authorisation", country, line))
    residence = _RESIDENCE.search(line)
    if residence:
        raw = next(g for g in residence.groups() if g)
        country = country_of(raw) or ("EU" if raw.lower() == "europe" else None)
        if country:
            found.append(HardRequirement("residence", country, line))
    return found


def _in(country: str, countries: frozenset[str] | set[str]) -> bool:
    return country in countries or (country == "EU" and bool(countries & (EU_MEMBERS | {"EU"}))) \
        or (country in EU_MEMBERS and "EU" in countries)


def check(requirement: HardRequirement, profile: ResumeProfile) -> Check:
    """What the resume shows for one hard requirement."""
    kind, name = requirement.kind, requirement.name
    if kind == "licence":
        candidates = [profile.credential(n) for n in (name, *_SATISFIES.get(name, ()))]
        held = [c for c in candidates if c is not None]
        if not held and name not in LICENCES:
            held = _stated_alike(requirement, profile)
        elif not held and name in _WORDED_MANY_WAYS:
            held = _named_alike(requirement, profile)
        if not held:
            return Check(requirement, "unknown", f"{name}: the resume does not mention it")
        if name in profile.listed_only:
            return Check(requirement, "unknown", f"{name}: named only in a skills list")
        best = min(held, key=lambda c: ("active", "pending", "expired").index(c.status))
        asked, shown = jurisdictions(requirement.line), jurisdictions(best.text)
        if best.status == "active" and _MULTISTATE_ASKED.search(requirement.line) \
                and not _MULTISTATE.search(best.text) and not asked & shown:
            return Check(requirement, "unknown", f"{name}: the post asks a multistate licence")
        if best.status == "active" and asked and not shown and profile.country \
                and all(country_of(region) != profile.country for region in asked):
            return Check(requirement, "unknown", f"{name}: the post asks "
                                                 f"{', '.join(sorted(asked))}, the resume names "
                                                 "no state")
        if best.status == "active" and asked and shown and not asked & shown:
            return Check(requirement, "unknown", f"{name} held in {', '.join(sorted(shown))}, "
                                                 f"the post asks {', '.join(sorted(asked))}")
        if best.status == "active":
            return Check(requirement, "met", f"{name}: {quote_resume(best.text)}")
        if best.status == "pending" and requirement.pending_ok:
            return Check(requirement, "unknown", f"{name} in progress, the post allows it")
        return Check(requirement, "contradicted",
                     f"{name} {best.status}: {quote_resume(best.text)}")
    authorisation = profile.authorisation
    if kind == "citizenship":
        if name in authorisation.citizen:
            return Check(requirement, "met", quote_resume(authorisation.statement))
        if authorisation.resident_only or authorisation.needs_sponsorship \
                or authorisation.citizen:
            return Check(requirement, "contradicted", f"not a citizen of {name}: "
                                                      f"{quote_resume(authorisation.statement)}")
        return Check(requirement, "unknown", f"citizenship of {name} not stated")
    if kind == "authorisation":
        if _in(name, authorisation.countries):
            return Check(requirement, "met", quote_resume(authorisation.statement)
                         if authorisation.statement else f"authorised in {name}")
        if authorisation.needs_sponsorship:
            return Check(requirement, "contradicted", f"needs sponsorship: "
                                                      f"{quote_resume(authorisation.statement)}")
        if profile.country and _in(name, {profile.country}) \
                and authorisation.countries <= {profile.country}:
            return Check(requirement, "met", f"lives and works in {profile.country}")
        if profile.country and not _in(name, {profile.country}):
            return Check(requirement, "contradicted", f"lives in {profile.country} with no right "
                                                      f"to work in {name} stated; the post does "
                                                      "not sponsor")
        if authorisation.countries:
            return Check(requirement, "contradicted",
                         f"authorised in {', '.join(sorted(authorisation.countries))}, "
                         f"the post asks for {name}")
        return Check(requirement, "unknown", f"right to work in {name} not stated")
    if kind == "clearance":
        clearance = profile.clearance
        if clearance and clearance[1] == "active" and clearance[0] >= requirement.rank:
            return Check(requirement, "met", "clearance held")
        if not requirement.active and (_in("US", authorisation.countries) or clearance):
            return Check(requirement, "met", "can obtain the clearance")
        if authorisation.needs_sponsorship or (authorisation.countries
                                               and not _in("US", authorisation.countries)):
            return Check(requirement, "contradicted", "not eligible for the clearance")
        if clearance and requirement.active and clearance[1] != "pending":
            # An active clearance asked for: one lapsed, or of a lower level, is not it.
            return Check(requirement, "contradicted", "the clearance held is "
                         + ("not active" if clearance[1] != "active" else "of a lower level"))
        return Check(requirement, "unknown", "clearance not stated")
    if kind == "language":
        return _language(requirement, profile)
    # residence
    if profile.country is None:
        return Check(requirement, "unknown", f"the post is for {name} only; the candidate's "
                                             "country is not stated")
    if _in(name, {profile.country}):
        return Check(requirement, "met", f"lives in {profile.country}")
    return Check(requirement, "contradicted", f"lives in {profile.country}, the post is for "
                                              f"{name} only")


def _language(requirement: HardRequirement, profile: ResumeProfile) -> Check:
    """A language at the level asked: stated at it, or the language of the candidate's country
    (English: the resume is written in it); two levels short contradicts, one a person
    weighs."""
    language, asked = requirement.name, requirement.rank
    shown = profile.languages.get(language)
    if shown is None and (language == "English" or SPOKEN_IN.get(profile.country or "")
                          == language):
        return Check(requirement, "met", f"{language}: the candidate's own language")
    if shown is None:
        return Check(requirement, "unknown", f"{language} ({NAMES[asked]}): the resume does "
                                            "not mention it")
    if shown >= asked:
        return Check(requirement, "met", f"{language}: {NAMES[shown]}")
    verdict: Verdict = "contradicted" if shown <= asked - 2 else "unknown"
    return Check(requirement, verdict, f"{language}: {NAMES[shown]}, the post asks "
                                       f"{NAMES[asked]}")


_LICENCE_LINE = re.compile(r"\b(?:licen[cs]e[ds]?|licensure|registered|registration|certified|"
                           r"certificate|credential|permit|admitted|admission)\b", re.I)
_COMMON = frozenset({"licence", "license", "licensed", "licenced", "active", "valid", "current",
                     "state", "required", "must", "hold", "holds", "have", "and", "the", "with",
                     "good", "standing", "certified", "certificate", "registered", "registration",
                     "unrestricted", "credential", "or", "in", "of", "an", "a", "to", "be",
                     "issued", "board", "by", "for", "any", "full"})


# Licences each state or country names its own way ("Ohio Five-Year Professional License").
_WORDED_MANY_WAYS = frozenset({"Teaching licence", "Electrical licence", "Pharmacist licence",
                               "Physical therapist licence", "School administrator licence"})


def _named_alike(requirement: HardRequirement, profile: ResumeProfile) -> list[Credential]:
    """A licence the pattern list does not know, found by a certifications-section line that
    shares the requirement's distinctive words ("Ohio ... License ... Mathematics")."""
    wanted = {w for w in re.findall(r"[a-z]{3,}", requirement.line.lower())
              if w not in _COMMON and w not in REGIONS}
    found = []
    for start, end in profile.sections.get("certifications", []):
        offset = start
        for line in profile.text[start:end].splitlines(keepends=True):
            words = set(re.findall(r"[a-z]{3,}", line.lower()))
            if _LICENCE_LINE.search(line) and len(wanted & words) >= 2:
                found.append(Credential(requirement.name, line_status(line, profile.today),
                                        line.strip()[:200], offset))
            offset += len(line)
    return found


# A line that asks for a credential the pattern list does not know.
_GENERIC_LICENCE = re.compile(r"(?<![-\w])(?:licen[cs]e|licensure|certificate|certification|"
                              r"registration|registered with|endorsement)\b", re.I)
# Words that say nothing of which credential ("a valid ... certificate is essential").
_PLAIN = frozenset({"experience", "years", "year", "work", "ability", "able", "time", "hire",
                    "application", "applying", "apply", "start", "date", "employment", "role",
                    "position", "job", "new", "least", "minimum", "plus", "proof", "copy",
                    "verification", "essential", "mandatory", "obtain", "maintain", "within",
                    "months", "days", "prior", "upon", "equivalent", "recognised", "recognized",
                    "relevant", "appropriate", "applicable", "current", "currently", "status",
                    "legally", "law", "this", "that", "you", "your", "our", "will", "not",
                    "are", "is", "which", "who", "all", "from", "as", "at", "on", "level",
                    "required", "requires", "need", "needs", "holding", "held", "possess",
                    "one", "two", "following", "including", "such", "other", "also",
                    "licensed", "licencing", "licensing", "certification", "certifications",
                    "endorsement", "endorsed"})


# A resume line that states a credential, not a job title that shares its words.
_CREDENTIAL_WORD = re.compile(r"\b(?:licen[cs]\w*|registered|registration|certifi\w*|"
                              r"credential|permit|endorse\w*|qualification|card|rating)\b",
                              re.I)


def _stem(word: str) -> str:
    return word[:5]


@functools.lru_cache(maxsize=65_536)  # every resume line, again for each post and candidate
def distinctive_words(line: str) -> frozenset[str]:
    """The stems of the words that tell one credential from another."""
    return frozenset(_stem(w) for w in re.findall(r"[a-z][a-z0-9+]{2,}", line.lower())
                     if w not in _COMMON and w not in _PLAIN and w not in REGIONS)


def _generic_name(line: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z][\w+&/-]*", line)
             if w.lower() not in _COMMON and w.lower() not in _PLAIN
             and w.lower() not in REGIONS]
    return " ".join(words[:5]) + " (credential)"


def _stated_alike(requirement: HardRequirement, profile: ResumeProfile) -> list[Credential]:
    """A credential named only in the post's own words, found by the resume line that shares
    most of its distinctive words (at least two, and half of them)."""
    wanted = distinctive_words(requirement.line)
    need = max(2, (len(wanted) + 1) // 2)
    found, offset = [], 0
    for line in profile.text.splitlines(keepends=True):
        if _CREDENTIAL_WORD.search(line) and len(wanted & distinctive_words(line)) >= need:
            found.append(Credential(requirement.name, line_status(line, profile.today),
                                    line.strip()[:200], offset))
        offset += len(line)
    return found


_STATE = re.compile(r"\b(" + "|".join(sorted(REGIONS, key=len, reverse=True)) + r")\b", re.I)
# A code only where places are written ("Austin, TX", "(WA)"): "PE", "IN", "OR" are words too.
_STATE_CODE = re.compile(r"(?:(?<=, )|(?<=\())(" + "|".join(sorted(set(REGIONS.values()))) +
                         r")(?=[),;.]|\s\d|\s*$)")
_MULTISTATE = re.compile(r"\b(?:compact|multi-?state|NLC|any (?:U\.?S\.? )?state|"
                         r"reciprocity|endorsement)\b", re.I)


_MULTISTATE_ASKED = re.compile(r"\b(?:compact|multi-?state|NLC)\b", re.I)


@functools.lru_cache(maxsize=4096)  # asked again for every candidate of a job
def jurisdictions(text: str) -> frozenset[str]:
    """The states or provinces a licence line names; empty when it names none or accepts a
    compact or multistate licence (then any will do)."""
    if _MULTISTATE.search(text):
        return frozenset()
    found = {REGIONS[m.group(1).lower()] for m in _STATE.finditer(text)}
    found |= {m.group(1) for m in _STATE_CODE.finditer(f" {text} ")}
    return frozenset(found)


def check_all(requirements: list[HardRequirement], profile: ResumeProfile) -> list[Check]:
    return [check(requirement, profile) for requirement in requirements]

