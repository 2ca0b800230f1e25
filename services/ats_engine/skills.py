"""The skills taxonomy and a token-trie matcher: skills found on token boundaries, with spans."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel

from services.ats_engine.skill_phrases import phrase_hits

TAXONOMY_FILE = Path(__file__).parent / "data" / "skills.json"

# A token: letters/digits with trailing + or # ("C++", "C#"), or a leading dot (".NET").
_TOKEN = re.compile(r"(?:(?<![A-Za-z0-9])\.)?[A-Za-z0-9]+[+#]*")
# Words near an ambiguous name ("Go", "R") that say it is the technology.
_CONTEXT_WORDS = frozenset({
    "language", "languages", "programming", "code", "coding", "developer", "developers",
    "engineer", "engineering", "backend", "frontend", "services", "service", "written",
    "stack", "skills", "tools", "scripts", "framework", "library", "libraries", "sdk", "api",
    "apis", "development", "software", "microservices", "controllers", "cli", "statistical",
    "packages", "app", "apps", "ios", "data", "pipelines", "clusters", "web", "systems",
    "technologies", "proficient", "experience",
})
_CONTEXT_WINDOW = 6


class SkillRecord(BaseModel):
    name: str
    category: str
    aliases: list[str]
    specificity: float


class TaxonomyFile(BaseModel):
    """The shape of data/skills.json."""

    version: str
    skills: list[SkillRecord]
    case_sensitive: list[str] = []
    needs_context: list[str] = []
    broader: dict[str, list[str]] = {}  # skill -> the broader skills using it shows
    alternatives: list[list[str]] = []  # tools of one kind


@dataclass(frozen=True)
class Skill:
    name: str
    category: str
    specificity: float


@dataclass(frozen=True)
class SkillHit:
    """One mention: the canonical skill and where the text names it."""

    skill: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Entry:
    skill: str
    exact: tuple[str, ...] | None  # original tokens when the alias is case-sensitive
    needs_context: bool


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) for each token of `text`."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _key(alias: str) -> tuple[str, ...]:
    return tuple(t.lower() for t, _, _ in tokens(alias))


class Taxonomy:
    """Canonical skills with aliases, matched longest-first over a token trie."""

    def __init__(self, document: TaxonomyFile) -> None:
        self.version = document.version
        case_sensitive = frozenset(document.case_sensitive)
        needs_context = frozenset(document.needs_context)
        self.skills: dict[str, Skill] = {}
        self._entries: dict[tuple[str, ...], list[_Entry]] = {}
        self._max_len = 1
        for raw in document.skills:
            skill = Skill(raw.name, raw.category, raw.specificity)
            self.skills[skill.name] = skill
            for alias in (skill.name, *raw.aliases):
                key = _key(alias)
                if not key:
                    continue
                exact = tuple(t for t, _, _ in tokens(alias)) if alias in case_sensitive else None
                entry = _Entry(skill.name, exact, alias in needs_context)
                self._entries.setdefault(key, []).append(entry)
                self._max_len = max(self._max_len, len(key))
        self._lower = {name.lower(): name for name in self.skills}
        self.broader = _closure(document.broader)
        self.alternatives: dict[str, frozenset[str]] = {}
        for group in document.alternatives:
            for name in group:
                self.alternatives[name] = self.alternatives.get(name, frozenset()) \
                    | frozenset(group) - {name}

    def canonical(self, name: str) -> str | None:
        """The canonical name of a skill or alias, or None."""
        entries = self._entries.get(_key(name))
        return entries[0].skill if entries else self._lower.get(name.lower())

    def find(self, text: str) -> list[SkillHit]:
        """Every skill mention in `text`: names and aliases (longest first, never inside a
        longer token), then phrases that show a skill in other words ("managed a team of 8")."""
        named = self.find_names(text)
        taken = [(hit.start, hit.end, hit.skill) for hit in named]
        shown = [SkillHit(p.skill, p.start, p.end, p.text) for p in phrase_hits(text)
                 if p.skill in self.skills and not any(
                     s == p.skill and a < p.end and p.start < b for a, b, s in taken)]
        return sorted(named + shown, key=lambda hit: hit.start)

    def find_names(self, text: str) -> list[SkillHit]:
        """Every mention of a skill's name or alias."""
        toks = tokens(text)
        lowered = [t.lower() for t, _, _ in toks]
        hits: list[tuple[SkillHit, bool, int]] = []
        i = 0
        while i < len(toks):
            found: tuple[_Entry, int] | None = None
            for length in range(min(self._max_len, len(toks) - i), 0, -1):
                entries = self._entries.get(tuple(lowered[i:i + length]))
                if not entries:
                    continue
                original = tuple(t for t, _, _ in toks[i:i + length])
                entry = next((e for e in entries if e.exact is None or e.exact == original), None)
                if entry is not None and _joined(text, toks, i, length):
                    found = (entry, length)
                    break
            if found is None:
                i += 1
                continue
            entry, length = found
            start, end = toks[i][1], toks[i + length - 1][2]
            hit = SkillHit(entry.skill, start, end, text[start:end])
            hits.append((hit, entry.needs_context, i))
            i += length
        return self._in_context(hits, lowered)

    def _in_context(self, hits: list[tuple[SkillHit, bool, int]],
                    lowered: list[str]) -> list[SkillHit]:
        """Drop ambiguous names ("Go", "R") with no technical word or other skill nearby."""
        sure = [index for _, ambiguous, index in hits if not ambiguous]
        kept = []
        for hit, ambiguous, index in hits:
            if ambiguous:
                near = lowered[max(0, index - _CONTEXT_WINDOW): index + _CONTEXT_WINDOW + 1]
                if not (_CONTEXT_WORDS & set(near)
                        or any(abs(other - index) <= _CONTEXT_WINDOW for other in sure)):
                    continue
            kept.append(hit)
        return kept

    def extract(self, text: str) -> frozenset[str]:
        """The canonical skills named in `text`."""
        return frozenset(hit.skill for hit in self.find(text))


def _closure(broader: dict[str, list[str]]) -> dict[str, frozenset[str]]:
    """Every broader skill a skill shows, through chains (journal entries show the general
    ledger, which shows accounting)."""
    out: dict[str, frozenset[str]] = {}
    for name in broader:
        seen: set[str] = set()
        stack = list(broader[name])
        while stack:
            broad = stack.pop()
            if broad not in seen and broad != name:
                seen.add(broad)
                stack.extend(broader.get(broad, ()))
        out[name] = frozenset(seen)
    return out


def _joined(text: str, toks: list[tuple[str, int, int]], i: int, length: int) -> bool:
    """A phrase's tokens are close, and it is not part of a dotted name ("JS" in "Node.js")."""
    start, end = toks[i][1], toks[i + length - 1][2]
    before = text[start - 1] if start > 0 else " "
    after = text[end:end + 2]
    if before == "." and start > 1 and text[start - 2].isalnum():
        return False
    if after[:1] == "." and after[1:2].isalnum():
        return False
    if length == 1 and len(toks[i][0]) == 1 and (
            (after[:1] == "-" and after[1:2].isalpha())
            or (before == "/" and start > 1 and text[start - 2].isalpha()
                and (start < 3 or not text[start - 3].isalnum()))):
        return False  # "C-check", "A/C": a letter of another word, not the language
    for k in range(i, i + length - 1):
        gap = text[toks[k][2]:toks[k + 1][1]]
        # One line break may split a name in a narrow column ("Teaching\nLicense").
        wrapped = gap.strip(" \t") == "\n"
        rest = gap.replace("\n", "", 1) if wrapped else gap
        if (len(gap) > 3 and not wrapped) or any(ch in rest for ch in "\n,;:()"):
            return False
    return True


@cache
def default_taxonomy() -> Taxonomy:
    """The taxonomy shipped with the engine (loaded once)."""
    return Taxonomy(TaxonomyFile.model_validate_json(TAXONOMY_FILE.read_bytes()))
