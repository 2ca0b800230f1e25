"""Resume sections by their headings, in the many ways people write them.

A heading is a short line made only of heading words ("PROFESSIONAL EXPERIENCE", "Licenses &
Certs", "Where I've worked"): a line that merely contains one ("Experience Designer at Acme")
is not."""

from __future__ import annotations

import re

# Section -> words that name it; the first section whose word a heading holds wins.
_KEYS: tuple[tuple[str, frozenset[str]], ...] = (
    ("certifications", frozenset({
        "certifications", "certification", "certificates", "certificate", "licenses", "license",
        "licences", "licence", "licensure", "credentials", "accreditations", "tickets",
        "admissions", "registrations", "registration", "memberships", "certs"})),
    ("education", frozenset({"education", "academic", "academics", "degrees", "degree",
                             "schooling", "studies", "training", "qualifications",
                             "qualification"})),
    ("experience", frozenset({"experience", "experiences", "employment", "work", "career",
                              "jobs", "positions", "worked", "history", "placements"})),
    ("skills", frozenset({"skills", "skill", "competencies", "competences", "proficiencies",
                          "technologies", "tools", "expertise", "stack", "keywords", "strengths",
                          "abilities", "software", "capabilities"})),
    ("summary", frozenset({"summary", "profile", "objective", "about", "overview", "bio",
                           "introduction"})),
    ("projects", frozenset({"projects", "portfolio"})),
    ("other", frozenset({"languages", "interests", "hobbies", "references", "volunteer",
                         "volunteering", "awards", "honors", "honours", "publications",
                         "activities", "affiliations", "personal", "details", "contact",
                         "achievements", "accomplishments", "additional", "information",
                         "leadership", "community", "presentations", "research", "courses",
                         "coursework"})),
)
# Words a heading may carry besides its key ("Relevant Professional Experience").
_FILLER = frozenset({
    "and", "&", "of", "my", "the", "a", "professional", "relevant", "other", "key", "core",
    "technical", "selected", "work", "career", "recent", "previous", "prior", "employment",
    "additional", "areas", "area", "i've", "ive", "i", "have", "where", "what", "do", "clinical",
    "legal", "teaching", "engineering", "industry", "military", "related", "highlights",
    "summary", "qualifications", "education", "training", "continuing", "record", "background",
    "personal", "skills", "tech", "software", "language",
    "computer", "it", "specialist", "trade", "trades", "field", "site", "practical",
    "placements", "registrations", "info", "at", "glance", "snapshot", "development",
    "licenses",
    "certifications", "affiliations", "memberships", "bar", "state", "current", "active",
    "interests", "history", "experience", "hands-on", "notable",
    "achievements", "project", "volunteer", "leadership", "community", "honors",
    "awards", "publications", "research", "expertise", "competencies", "tools",
    "systems", "equipment", "proficiencies", "tickets", "credentials", "licensure", "licences",
})
_ANY_KEY = frozenset().union(*(keys for _, keys in _KEYS))
_WORD = re.compile(r"[a-z][a-z'\u2019-]*|&")
_MAX_WORDS = 6


def heading_of(line: str) -> str | None:
    """The section a line names when it is a heading, else None."""
    stripped = line.strip().strip("#*=_-:|•").strip()
    if not stripped or len(stripped) > 48 or stripped.endswith((".", ",")):
        return None
    head, colon, rest = stripped.partition(":")
    if colon and rest.strip():
        return None  # "Skills: Python, SQL" is handled by inline_heading
    words = _WORD.findall(head.lower().replace("\u2019", "'"))
    if not words or len(words) > _MAX_WORDS or len(words) < len(head.split()) - 1:
        return None  # digits or symbols in it: a role line, not a heading
    if "summary" in words or "profile" in words:  # "Summary of Qualifications"
        return "summary" if all(w in _ANY_KEY or w in _FILLER for w in words) else None
    for section, keys in _KEYS:
        if any(w in keys for w in words):
            if all(w in keys or w in _FILLER for w in words):
                return section
            return None
    return None


def inline_heading(line: str) -> tuple[str, int] | None:
    """("skills", offset of the body) for a line like "Skills: Python, SQL"."""
    head, colon, rest = line.partition(":")
    if not colon or not rest.strip():
        return None
    section = heading_of(head)
    if section in ("skills", "certifications", "summary", "education"):
        return section, len(head) + 1
    return None


def find_sections(text: str) -> list[tuple[str, int, int]]:
    """(section, heading start, body start) for each heading line, in order."""
    found: list[tuple[str, int, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        section = heading_of(line)
        if section is not None:
            found.append((section, offset, offset + len(line)))
        else:
            inline = inline_heading(line)
            # Under a role, "Tools: Excel, SAP" belongs to the role, not a section of its own.
            if inline is not None and not (found and found[-1][0] == "experience"):
                found.append((inline[0], offset, offset + inline[1]))
        offset += len(line)
    return found


def section_spans(text: str) -> dict[str, list[tuple[int, int]]]:
    """Each section's (start, end) body spans; text before the first heading is 'header'."""
    found = find_sections(text)
    spans: dict[str, list[tuple[int, int]]] = {"header": [(0, found[0][1] if found else len(text))]}
    for index, (name, _, body) in enumerate(found):
        end = found[index + 1][1] if index + 1 < len(found) else len(text)
        spans.setdefault(name, []).append((body, end))
    return spans


def section_at(spans: dict[str, list[tuple[int, int]]], position: int) -> str:
    """The section holding a character position."""
    for name, ranges in spans.items():
        if any(start <= position < end for start, end in ranges):
            return name
    return "header"
