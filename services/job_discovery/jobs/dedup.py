"""When two postings are one job: one employer in one place, titles that agree, and
descriptions that say the same (or, where both state their pay, one pay and a close text)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from services.job_discovery.jobs.normalise import Location, TitleWords
from services.job_discovery.jobs.salary import Salary

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


# Share of the shorter title's words the other must have for two titles to name one job
# ("Sr. Software Engineer, Backend - Payments" and "Senior Backend Engineer (Payments)").
TITLE_OVERLAP = 0.6
# With titles that agree and one stated pay, a description rewritten by another board keeps
# this much of its words; another team's advert from one employer and template states
# another pay. Chosen on the dev half of the hand-written pairs.
PAID_CONTAINMENT = 0.6


def fingerprint(company_key: str, location_key: str, levels: frozenset[str]) -> str:
    """The blocking key (employer, place, level): only postings sharing it are compared.

    The title's other words are left out so that two spellings of one job meet; an
    employer's open jobs of one level in one place are few enough to compare each (their
    titles first, their text only if those agree).
    """
    joined = "|".join((company_key, location_key, " ".join(sorted(levels))))
    return hashlib.blake2b(joined.encode(), digest_size=12).hexdigest()


def description_words(description: str) -> frozenset[str]:
    """The distinct content words of a description."""
    text = unicodedata.normalize("NFKC", description).casefold()
    return frozenset(_WORD.findall(text)).difference(_STOPWORDS)


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


class TitleMatch(StrEnum):
    """How two titles of one employer in one place relate."""

    SAME = "same"  # the same words once spellings are folded
    CLOSE = "close"  # one job said in other words ("Backend Engineer, Payments")
    # Close, but one names a number the other does not ("Pharmacist - Store 0418"): one
    # job if the text is the same, another branch's job if only similar.
    NUMBERED = "numbered"
    DIFFERENT = "different"


def title_match(a: TitleWords, b: TitleWords) -> TitleMatch:
    """SAME, CLOSE, or DIFFERENT where a level, shift or number disagrees or few words agree."""
    if a.words == b.words:
        return TitleMatch.SAME
    if a.levels != b.levels or (a.numbers and b.numbers and a.numbers != b.numbers) or (
            a.shifts and b.shifts and a.shifts != b.shifts):
        return TitleMatch.DIFFERENT
    shorter = min(len(a.words - a.numbers), len(b.words - b.numbers))
    if not shorter or len(a.words & b.words) / shorter < TITLE_OVERLAP:
        return TitleMatch.DIFFERENT
    return TitleMatch.CLOSE if a.numbers == b.numbers else TitleMatch.NUMBERED


def places_agree(a: Location, b: Location) -> bool:
    """Whether two places with one key can be one place: no region or country disagrees
    ("Portland, OR" and "Portland, ME" do; "Berlin" and "Berlin, DE" do not)."""
    return all(x is None or y is None or x == y
               for x, y in ((a.region, b.region), (a.country, b.country)))


# A bare "$" reads as US dollars; a Canadian board's "CA$58/hr" is the same pay as "$58".
_DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "SGD"})


def same_pay(a: Salary | None, b: Salary | None) -> bool:
    """Both state one pay: the same range in one currency and period, or one amount that is
    an end of the other's range ("$80K OTE" and "$55,000 base, $80,000 OTE"). A period one
    side does not say, or dollars of another country, do not tell two pays apart."""
    if a is None or b is None:
        return False
    if a.currency != b.currency and not {a.currency, b.currency} <= _DOLLARS:
        return False
    if a.period and b.period and a.period != b.period:
        return False
    ends_a, ends_b = {a.minimum, a.maximum} - {None}, {b.minimum, b.maximum} - {None}
    if len(ends_a) == 1 or len(ends_b) == 1:
        return bool(ends_a & ends_b)
    return ends_a == ends_b


class Profile:
    """What the rule compares of a posting; its description's words are read only if the
    title and place agree with another's."""

    __slots__ = ("_description", "_words", "place", "salary", "title")

    def __init__(self, title: TitleWords, place: Location, salary: Salary | None,
                 description: str) -> None:
        self.title, self.place, self.salary = title, place, salary
        self._description = description
        self._words: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = description_words(self._description)
        return self._words


def same_job(a: Profile, b: Profile) -> bool:
    """Whether two postings with one fingerprint are one job.

    Titles that agree and descriptions that say the same; a description rewritten by another
    board says less of the same, which is enough where both state one pay.
    """
    match = title_match(a.title, b.title)
    if match is TitleMatch.DIFFERENT or not places_agree(a.place, b.place):
        return False
    a_words, b_words = a.words, b.words
    if match is TitleMatch.SAME and same_description(a_words, b_words):
        return True
    if len(a_words) < MIN_WORDS or len(b_words) < MIN_WORDS:
        return False  # without the text only the same title is evidence enough
    containment = similarity(a_words, b_words).containment
    return containment >= CONTAINMENT_THRESHOLD or (
        match is not TitleMatch.NUMBERED and same_pay(a.salary, b.salary)
        and containment >= PAID_CONTAINMENT)
