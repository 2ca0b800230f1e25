"""Cross-source dedup: the fingerprint, the description rule, and their score on labelled pairs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from services.job_discovery.jobs.dedup import (
    MIN_WORDS,
    description_words,
    fingerprint,
    same_description,
    similarity,
)
from services.job_discovery.jobs.posting import normalise_posting, parse_payload, same_job

PAIRS = Path(__file__).resolve().parents[1] / "data" / "dedup_pairs.jsonl"
ADVERT = (
    "Join the Payments team. You will design services that stay correct under retries, "
    "own APIs used by millions, tune slow PostgreSQL queries and mentor engineers. "
    "Requirements: Python, Kafka, Kubernetes, Docker. We offer equity and thirty days of leave."
)


def labelled_pairs() -> list[dict[str, Any]]:
    return [json.loads(line) for line in PAIRS.read_text().splitlines() if line.strip()]


def test_the_labelled_set_is_large_and_covers_both_labels_and_many_kinds() -> None:
    pairs = labelled_pairs()
    labels = Counter(p["duplicate"] for p in pairs)
    kinds = {p["kind"] for p in pairs}

    assert len(pairs) >= 300
    assert labels[True] >= 150 and labels[False] >= 150
    assert len(kinds) >= 10
    assert len({p["id"] for p in pairs}) == len(pairs)


def test_dedup_precision_and_recall_on_the_labelled_set() -> None:
    outcome: Counter[str] = Counter()
    for pair in labelled_pairs():
        a, b = (normalise_posting(parse_payload(pair[side])) for side in ("a", "b"))
        predicted = same_job(a, b)
        outcome[("t" if predicted == pair["duplicate"] else "f")
                + ("p" if predicted else "n")] += 1

    precision = outcome["tp"] / (outcome["tp"] + outcome["fp"])
    recall = outcome["tp"] / (outcome["tp"] + outcome["fn"])
    assert precision >= 0.99, outcome
    assert recall >= 0.95, outcome


def test_the_fingerprint_depends_on_every_part() -> None:
    base = fingerprint("acme", "berlin")

    assert base == fingerprint("acme", "berlin")
    assert len({base, fingerprint("globex", "berlin"), fingerprint("acme", "london"),
                fingerprint("acme|berlin", "")}) == 4


def test_a_truncated_copy_is_the_same_description() -> None:
    whole = description_words(ADVERT)
    truncated = description_words(" ".join(ADVERT.split()[:25]) + " ...")

    assert similarity(truncated, whole).containment == 1.0
    assert same_description(truncated, whole)


def test_another_teams_advert_is_not_the_same_description() -> None:
    other = (
        "Join the Search team. You will build ranking for our catalogue, run relevance "
        "experiments, index documents with Elasticsearch and report results weekly. "
        "Requirements: Java, Elasticsearch, statistics. We offer equity and thirty days of leave."
    )

    assert not same_description(description_words(ADVERT), description_words(other))


def test_without_enough_words_the_fingerprint_decides() -> None:
    short = description_words("Apply on our site.")

    assert len(short) < MIN_WORDS
    assert same_description(short, description_words(ADVERT))
    assert same_description(frozenset(), frozenset())


def test_words_ignore_case_punctuation_and_filler() -> None:
    assert description_words("The C++ and C# roles; you WILL love it!") == frozenset(
        {"c++", "c#", "roles", "love"})


@pytest.mark.parametrize("kind", [
    "same advert; another city", "same advert text; another employer",
])
def test_identical_text_elsewhere_is_still_another_job(kind: str) -> None:
    pairs = [p for p in labelled_pairs() if p["kind"] == kind]

    assert pairs
    for pair in pairs:
        a, b = (normalise_posting(parse_payload(pair[side])) for side in ("a", "b"))
        assert not same_job(a, b), pair["id"]
