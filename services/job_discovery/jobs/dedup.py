"""When two postings are one job: same fingerprint, and descriptions that say the same."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"[\w+#]+")
# Too common in adverts to tell one job from another.
_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in",
    "is", "it", "its", "of", "on", "or", "our", "that", "the", "their", "this", "to", "we",
    "will", "with", "you", "your", "who", "what", "all", "can", "do", "more", "us",
})
# Under this many words a description says too little to tell two jobs apart.
MIN_WORDS = 12
# Share of the smaller description's words found in the other at or above which two
# postings with one fingerprint are one job. A reworded or truncated copy keeps nearly all
# its words (0.94 and up on the training pairs); another team's advert from the same
# employer shares the boilerplate but not the work (0.90 at most). Chosen on the pairs of
# `python -m bench.data.dedup_pairs --seed 1`, then checked on the committed set (seed 7).
CONTAINMENT_THRESHOLD = 0.92


def fingerprint(company_key: str, title_key: str, location_key: str) -> str:
    """The blocking key: only postings sharing it are compared at all."""
    joined = "|".join((company_key, title_key, location_key))
    return hashlib.blake2b(joined.encode(), digest_size=12).hexdigest()


def description_words(description: str) -> frozenset[str]:
    """The distinct content words of a description."""
    text = unicodedata.normalize("NFKC", description).casefold()
    return frozenset(w for w in _WORD.findall(text) if w not in _STOPWORDS)


@dataclass(frozen=True)
class Similarity:
    """How alike two descriptions are."""

    jaccard: float
    containment: float


def similarity(a: frozenset[str], b: frozenset[str]) -> Similarity:
    """Jaccard of the word sets, and how much of the smaller lies inside the larger."""
    if not a or not b:
        return Similarity(0.0, 0.0)
    common = len(a & b)
    return Similarity(common / len(a | b), common / min(len(a), len(b)))


def same_description(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two descriptions of postings with one fingerprint describe one job."""
    if len(a) < MIN_WORDS or len(b) < MIN_WORDS:
        # Nothing to compare (a listing without its text): the fingerprint decides.
        return True
    return similarity(a, b).containment >= CONTAINMENT_THRESHOLD
