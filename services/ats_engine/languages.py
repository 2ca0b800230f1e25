"""Spoken languages: the level a post asks ("German at C1", "fluent French is essential") and
the level a resume states ("French (A2)", "native Dutch"), on one scale."""

from __future__ import annotations

import re

LANGUAGES = ("English", "French", "German", "Spanish", "Dutch", "Italian", "Portuguese",
             "Mandarin", "Cantonese", "Japanese", "Korean", "Arabic", "Hindi", "Polish",
             "Russian", "Turkish", "Swedish", "Danish", "Norwegian", "Finnish", "Greek",
             "Hebrew", "Tagalog", "Vietnamese", "Punjabi", "Urdu", "Tamil", "Bengali")
# Where a language is the one people grow up speaking: a resident has it, stated or not.
SPOKEN_IN = {"DE": "German", "AT": "German", "FR": "French", "NL": "Dutch", "ES": "Spanish",
             "MX": "Spanish", "AR": "Spanish", "CO": "Spanish", "CL": "Spanish", "IT": "Italian",
             "PT": "Portuguese", "BR": "Portuguese", "PL": "Polish", "JP": "Japanese",
             "SE": "Swedish", "DK": "Danish", "NO": "Norwegian", "FI": "Finnish"}
NAMES = {1: "A1", 2: "A2", 3: "B1", 4: "B2", 5: "C1", 6: "C2", 7: "native"}
_CEFR = {"a1": 1, "a2": 2, "b1": 3, "b2": 4, "c1": 5, "c2": 6}
# Words of level, strongest first where two overlap ("business fluent" before "business").
_LEVEL_WORDS: tuple[tuple[int, str], ...] = (
    (7, r"native|mother tongue|first language"),
    (6, r"bilingual|near[- ]native|bilingualism"),
    (5, r"fluen\w*|full professional|business[- ]fluent|advanced|excellent|proficien\w*|"
        r"professional working|professional"),
    (4, r"very good|good|upper[- ]intermediate|working|conversational|strong"),
    (3, r"intermediate"),
    (2, r"basic|elementary|beginner|limited|some"),
)
_LANGUAGE = re.compile(r"\b(" + "|".join(LANGUAGES) + r")\b")
_LEVEL = re.compile(r"\b(?:(?P<cefr>[ABC][12])\b|(?P<words>" +
                    "|".join(f"(?:{w})" for _, w in _LEVEL_WORDS) + r")\b)", re.I)
_SPOKEN = re.compile(r"\b(?:language|languages|speak\w*|spoken|written|oral|command|"
                     r"bilingual\w*)\b", re.I)
_WINDOW = 28  # characters either side of a language's name that may state its level


def level_of(words: str) -> int | None:
    """The scale value of one level expression ("C1", "fluent", "mother tongue")."""
    lowered = words.lower()
    if lowered in _CEFR:
        return _CEFR[lowered]
    return next((level for level, pattern in _LEVEL_WORDS
                 if re.fullmatch(pattern, lowered)), None)


def _near_levels(text: str, start: int, end: int) -> list[int]:
    """Levels stated in the clause around one mention ("German (B1)", "native Dutch")."""
    left = re.split(r"[;|\n,]|\.\s", text[max(0, start - _WINDOW):start])[-1]
    right = re.split(r"[;|\n,]|\.\s|\band\b", text[end:end + _WINDOW])[0]
    # "Bilingual English/French" speaks to both; otherwise a neighbouring language owns the
    # words beyond it ("native Dutch, German B1").
    found = [6] if re.search(r"\bbilingual", left, re.I) else []
    left = _LANGUAGE.split(left)[-1]
    right = _LANGUAGE.split(right)[0]
    for match in _LEVEL.finditer(f"{left} {right}"):
        level = level_of(match.group("cefr") or match.group("words"))
        if level is not None:
            found.append(level)
    return found


def stated_levels(text: str) -> dict[str, int]:
    """Each language a resume names, at the highest level stated next to it (4, a working
    level, where it names no level)."""
    levels: dict[str, int] = {}
    for match in _LANGUAGE.finditer(text):
        near = _near_levels(text, match.start(), match.end())
        level = max(near) if near else 4
        levels[match.group(1)] = max(levels.get(match.group(1), 0), level)
    return levels


def asked_levels(line: str) -> dict[str, int]:
    """Languages a post's line asks, with the level (C1 where it says only "fluent" or names
    the language with no level)."""
    asked: dict[str, int] = {}
    if not (_LEVEL.search(line) or _SPOKEN.search(line)):
        return asked  # "a German licence", "Dutch work authorisation": a country, not a tongue
    for match in _LANGUAGE.finditer(line):
        near = _near_levels(line, match.start(), match.end())
        level = max(near) if near else 5
        # "Native-level" or C2 asks what a C2 speaker has; "bilingual", "excellent" a C1.
        explicit = re.search(r"\b(?:C2|native)", line, re.I)
        asked[match.group(1)] = min(level, 6 if explicit else 5)
    return asked
