"""Hard gates: resume signs that send a pair to a human however high it scores."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from infra.resume_files import Extracted
from schemas.events.matching import quote_resume
from services.ats_engine.skills import SkillHit

_WORD = re.compile(r"[^\W\d_]{2,}")
_INJECTION = re.compile(
    r"\b(?:ignore (?:all |any )?(?:previous|prior|above|earlier|other) (?:instructions|prompts|"
    r"directions)|disregard (?:the |all )?(?:previous|above|prior)|(?:rate|score|rank|grade|mark) "
    r"(?:this|me|the) (?:candidate|resume|cv|applicant)?\s*(?:as |at )?(?:highly|high|first|top|"
    r"10|100|excellent|perfect|strong)|you are (?:an? )?(?:ai|llm|language model|ats|assistant|"
    r"screening)|as an ai\b|system prompt|note to (?:the )?(?:ai|ats|llm|bot|screener|model)|"
    r"(?:ai|ats|llm|automated) (?:reviewer|screener|recruiter|system)s?[,:]|"
    r"(?:hire|select|shortlist|approve|recommend) this (?:candidate|applicant|person) "
    r"(?:immediately|now|first)|this (?:candidate|applicant) is (?:the )?(?:perfect|ideal|best) "
    r"(?:fit|match|candidate))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class GateLimits:
    min_chars: int = 200
    min_word_share: float = 0.55
    max_mentions_in_window: int = 4
    window_words: int = 40
    max_skill_token_share: float = 0.45
    min_hidden_chars: int = 3


@dataclass(frozen=True)
class Gate:
    code: str
    message: str


def check(document: Extracted, text: str, hits: list[SkillHit], limits: GateLimits) -> list[Gate]:
    """Every gate the resume trips, in a fixed order."""
    gates: list[Gate] = []
    stripped = text.strip()
    words = _WORD.findall(stripped)
    tokens = stripped.split()
    if len(stripped) < limits.min_chars:
        scanned = document.kind == "pdf" and document.images > 0
        gates.append(Gate("poor_extraction", "the resume looks scanned (images, almost no text)"
                          if scanned else f"only {len(stripped)} characters of text extracted"))
    elif tokens and (len(words) / len(tokens) < limits.min_word_share
                     or stripped.count("\ufffd") + stripped.count("(cid:") > 10):
        gates.append(Gate("poor_extraction", "the extracted text is garbled"))
    hidden = " ".join(document.hidden_text)
    if len(hidden.replace(" ", "")) >= limits.min_hidden_chars:
        gates.append(Gate("hidden_text", "the file holds text a reader cannot see: "
                          + quote_resume(hidden[:120])))
    if hits:
        hit_tokens = sum(len(hit.text.split()) for hit in hits)
        crowded = _crowded(stripped, hits, limits)
        if crowded is not None:
            gates.append(Gate("keyword_stuffing",
                              f"{crowded} is named {limits.max_mentions_in_window}+ times within "
                              f"{limits.window_words} words"))
        elif len(hits) >= 30 and tokens and hit_tokens / len(tokens) > limits.max_skill_token_share:
            gates.append(Gate("keyword_stuffing",
                              f"{hit_tokens} of {len(tokens)} words are skill names"))
    injection = _INJECTION.search(text) or _INJECTION.search(hidden)
    if injection:
        gates.append(Gate("machine_instructions", "the resume addresses a machine reader: "
                          + quote_resume(injection.group())))
    return gates


def _crowded(text: str, hits: list[SkillHit], limits: GateLimits) -> str | None:
    """A skill repeated within a few words: no sentence needs that, a keyword list does.

    A long career naming its main language once a role is fine; the same name four times in
    forty words is stuffing."""
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    positions: dict[str, list[int]] = {}
    for hit in hits:
        if re.match(r" [A-Z]", text[hit.end:hit.end + 2]):
            continue  # a product family ("SolidWorks PDM, SolidWorks Simulation") is honest
        # The same words repeated, not one skill under several names ("cold calling and
        # prospecting" is one skill twice, and honest).
        positions.setdefault(hit.text.lower(), []).append(bisect.bisect_right(starts, hit.start))
    n = limits.max_mentions_in_window
    for skill, where in positions.items():
        for i in range(len(where) - n + 1):
            if where[i + n - 1] - where[i] < limits.window_words:
                return skill
    return None
