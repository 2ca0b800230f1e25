"""How the dedup rule scores on labelled pairs: precision and recall of `same_job`."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.job_discovery.jobs.posting import normalise_posting, parse_payload, same_job

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
GENERATED_PAIRS = DATA / "dedup_pairs.jsonl"
BLIND_PAIRS = DATA / "dedup_pairs_blind.jsonl"


@dataclass(frozen=True)
class Score:
    """Outcomes of the rule on a set of pairs: tp, fp, tn, fn."""

    outcome: Counter[str]

    @property
    def precision(self) -> float:
        return self.outcome["tp"] / max(1, self.outcome["tp"] + self.outcome["fp"])

    @property
    def recall(self) -> float:
        return self.outcome["tp"] / max(1, self.outcome["tp"] + self.outcome["fn"])

    @property
    def pairs(self) -> int:
        return sum(self.outcome.values())


def labelled_pairs(path: Path, split: str | None = None) -> list[dict[str, Any]]:
    """The pairs of a file, or of one of its splits (`dev`, `test`)."""
    pairs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [p for p in pairs if split is None or p["split"] == split]


def predicted(pair: dict[str, Any]) -> bool:
    """What the rule says of one pair."""
    a, b = (normalise_posting(parse_payload(pair[side])) for side in ("a", "b"))
    return same_job(a, b)


def score(pairs: list[dict[str, Any]]) -> Score:
    outcome: Counter[str] = Counter()
    for pair in pairs:
        said = predicted(pair)
        outcome[("t" if said == pair["duplicate"] else "f") + ("p" if said else "n")] += 1
    return Score(outcome)


def scores() -> dict[str, Score]:
    """The generated set, and the hand-written set's dev and test halves."""
    return {"generated": score(labelled_pairs(GENERATED_PAIRS)),
            "blind_dev": score(labelled_pairs(BLIND_PAIRS, "dev")),
            "blind_test": score(labelled_pairs(BLIND_PAIRS, "test"))}
