"""Score a labelled JSON Lines file of resume-job pairs and print precision, recall and AUROC."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.ats_engine.engine import Engine
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.weights import DEFAULT_FILE, Weights, load_weights

DEFAULT_SET = Path("tests/data/ats_pairs.jsonl")
TODAY = date(2026, 11, 26)  # "Present" in the labelled resumes: fixed, so results never drift


class PairJob(BaseModel):
    title: str
    company: str = ""
    location: str = ""
    description: str


class Pair(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    resume_text: str = Field(min_length=1)
    job: PairJob
    label: Literal["apply", "review", "reject"]
    reason: str = ""


def load_pairs(path: Path) -> list[Pair]:
    """Pairs of a JSON Lines file; ValueError names the bad line."""
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                pairs.append(Pair.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc
    return pairs


def auroc(positives: list[float], negatives: list[float]) -> float | None:
    """Chance a positive outranks a negative (ties count half)."""
    if not positives or not negatives:
        return None
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def metrics(rows: list[tuple[Pair, float, str]]) -> dict[str, Any]:
    """The figures of `make eval-ats` over (pair, score, decision) rows."""
    def count(label: str | None, decision: str | None) -> int:
        return sum(1 for pair, _, d in rows if (label is None or pair.label == label)
                   and (decision is None or d == decision))

    overall = auroc([s for p, s, _ in rows if p.label == "apply"],
                    [s for p, s, _ in rows if p.label != "apply"])
    wins = 0.0
    comparisons = 0
    groups: dict[str, list[tuple[Pair, float]]] = defaultdict(list)
    for pair, score, _ in rows:
        groups[pair.resume_text].append((pair, score))
    for members in groups.values():
        positives = [s for p, s in members if p.label == "apply"]
        negatives = [s for p, s in members if p.label != "apply"]
        value = auroc(positives, negatives)
        if value is not None:
            wins += value * len(positives) * len(negatives)
            comparisons += len(positives) * len(negatives)
    return {
        "approve_precision": _ratio(count("apply", "apply"), count(None, "apply")),
        "approve_recall": _ratio(count("apply", "apply"), count("apply", None)),
        "reject_precision": _ratio(count("reject", "reject"), count(None, "reject")),
        "reject_recall": _ratio(count("reject", "reject"), count("reject", None)),
        "auroc": None if overall is None else round(overall, 4),
        "within_candidate_auroc": round(wins / comparisons, 4) if comparisons else None,
        "pairs": len(rows),
    }


def evaluate(pairs: list[Pair], engine: Engine, weights: Weights,
             ) -> list[tuple[Pair, float, str]]:
    rows = []
    for pair in pairs:
        resume = engine.parse_text(pair.resume_text, TODAY)
        job = engine.parse_job(pair.job.title, pair.job.description, pair.job.location)
        outcome = engine.score(resume, job, weights)
        rows.append((pair, outcome.score, outcome.decision.value))
    return rows


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv and argv[0] else DEFAULT_SET
    try:
        pairs = load_pairs(path)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = evaluate(pairs, Engine(default_taxonomy()), load_weights(DEFAULT_FILE))
    for pair, score, decision in rows:
        mark = " " if decision == pair.label else "*"
        print(f"{mark} {pair.id:<28} {pair.label:<7} {decision:<7} {score:6.2f}", file=sys.stderr)
    print(json.dumps(metrics(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
