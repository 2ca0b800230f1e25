"""Score a labelled JSON Lines file of resume-job pairs and print precision, recall and AUROC."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from services.ats_engine.embeddings import (
    BACKENDS,
    VECTOR_CACHE,
    Embedder,
    embed_documents,
    open_embedder,
    save_vector_file,
)
from services.ats_engine.engine import Engine
from services.ats_engine.scoring import MatchOutcome, SemanticMatch
from services.ats_engine.semantic import fit_texts, semantic_match
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.weights import DEFAULT_FILE, Weights, load_weights

DEFAULT_SET = Path("tests/data/ats_pairs.jsonl")  # the regression set, written beside the engine
BLIND_DIR = Path("tests/data/ats_blind")  # written blind: its authors saw only the labels
SPLIT_FILE = BLIND_DIR / "split.json"
TODAY = date(2026, 11, 26)  # "Present" in the labelled resumes: fixed, so results never drift


Row = TypeVar("Row", bound=BaseModel)


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
    candidate: str = ""  # the resume's author-given key; pairs of one candidate share it
    occupation: str = ""
    adversarial: bool = False  # looks like a match on keywords, must never be auto-applied

    @property
    def group(self) -> str:
        return self.candidate or self.resume_text


def load_lines(path: Path, model: type[Row]) -> list[Row]:
    """The rows of a JSON Lines file; ValueError names the bad line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(model.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc
    return rows


def load_pairs(path: Path) -> list[Pair]:
    return load_lines(path, Pair)


def load_blind(directory: Path) -> list[Pair]:
    """Every author's file of the blind set; candidate keys carry the file's name."""
    pairs = []
    for path in sorted(directory.glob("*.jsonl")):
        for pair in load_pairs(path):
            pairs.append(pair.model_copy(update={
                "id": f"{path.stem}/{pair.id}", "candidate": f"{path.stem}/{pair.group}"}))
    return pairs


def split(pairs: list[Pair], split_file: Path = SPLIT_FILE) -> tuple[list[Pair], list[Pair]]:
    """(dev, test) by candidate, as the split file fixed them once (half of each author's
    candidates each). Tune on dev only; test is for reporting."""
    halves = json.loads(split_file.read_text(encoding="utf-8"))
    dev, test = set(halves["dev"]), set(halves["test"])
    unsplit = sorted({p.candidate for p in pairs} - dev - test)
    if unsplit:
        raise ValueError(f"{split_file} places no half for {', '.join(unsplit)}: add each new "
                         "candidate to dev or test once, half of an author's to each")
    return [p for p in pairs if p.candidate in dev], [p for p in pairs if p.candidate in test]


def reliability(rows: list[tuple[Pair, float, str]],
                edges: tuple[float, ...] = (0, 30, 50, 70, 80, 90, 95, 100.01)) -> list[str]:
    """Per score band: pairs, share labelled apply, share apply or review."""
    out = [f"{'score':>10} {'pairs':>6} {'apply':>7} {'apply|review':>13}"]
    for low, high in itertools.pairwise(edges):
        band = [p for p, s, _ in rows if low <= s < high]
        if band:
            apply = sum(p.label == "apply" for p in band) / len(band)
            worth = sum(p.label != "reject" for p in band) / len(band)
            out.append(f"{low:>4.0f}-{min(high, 100):<5.0f} {len(band):>6} {apply:>7.2f} "
                       f"{worth:>13.2f}")
    return out


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
        groups[pair.group].append((pair, score))
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
        "adversarial_applied": sum(1 for p, _, d in rows if p.adversarial and d == "apply"),
        "pairs": len(rows),
    }


def evaluate(pairs: list[Pair], engine: Engine, weights: Weights,
             embedder: Embedder | None = None) -> list[tuple[Pair, float, str]]:
    return [(pair, outcome.score, outcome.decision.value)
            for pair, outcome in score_pairs(pairs, engine, weights, embedder)]


def score_pairs(pairs: list[Pair], engine: Engine, weights: Weights,
                embedder: Embedder | None = None) -> list[tuple[Pair, MatchOutcome]]:
    """Each pair scored as production scores it (semantic fit when there is an embedder)."""
    parsed = [(engine.parse_text(pair.resume_text, TODAY),
               engine.parse_job(pair.job.title, pair.job.description, pair.job.location))
              for pair in pairs]
    fits: list[SemanticMatch | None] = [None] * len(pairs)
    if embedder is not None:
        texts = [fit_texts(job, resume.profile) for resume, job in parsed]
        vectors = embed_documents(embedder, texts)  # one batched pass over every pair
        fits = [semantic_match(job, resume.profile, v)
                for (resume, job), v in zip(parsed, vectors, strict=True)]
    return [(pair, engine.score(resume, job, weights, fit))
            for pair, (resume, job), fit in zip(pairs, parsed, fits, strict=True)]


def _print_rows(rows: list[tuple[Pair, float, str]]) -> None:
    for pair, score, decision in rows:
        mark = " " if decision == pair.label else "*"
        print(f"{mark} {pair.id:<44} {pair.label:<7} {decision:<7} {score:6.2f}", file=sys.stderr)


def report(sets: dict[str, list[tuple[Pair, float, str]]]) -> None:
    """The figures of every set side by side, then the reliability of dev and test."""
    figures = {name: metrics(rows) for name, rows in sets.items()}
    names = list(figures)
    print(f"{'figure':<24}" + "".join(f"{n:>12}" for n in names), file=sys.stderr)
    for key in figures[names[0]]:
        cells = "".join(f"{'-' if figures[n][key] is None else figures[n][key]:>12}"
                        for n in names)
        print(f"{key:<24}{cells}", file=sys.stderr)
    for name in names:
        if name != "regression":
            print(f"\nreliability on {name}", file=sys.stderr)
            print("\n".join(reliability(sets[name])), file=sys.stderr)
    by_occupation: dict[str, list[tuple[Pair, float, str]]] = defaultdict(list)
    for row in sets.get("test", []):
        by_occupation[row[0].occupation or "?"].append(row)
    if by_occupation:
        print("\ntest by occupation: pairs, decisions agreeing with the label, approvals wrong",
              file=sys.stderr)
        for occupation, rows in sorted(by_occupation.items()):
            agree = sum(1 for p, _, d in rows if p.label == d)
            wrong = sum(1 for p, _, d in rows if d == "apply" and p.label != "apply")
            print(f"  {occupation:<32} {len(rows):>3} {agree:>3} {wrong:>3}", file=sys.stderr)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", default="", help="JSON Lines pairs (default: the "
                        f"regression set {DEFAULT_SET} and the blind set {BLIND_DIR}, dev and "
                        "test)")
    parser.add_argument("--no-embeddings", action="store_true",
                        help="rules only, as a deployment without the model scores")
    parser.add_argument("--cache", type=Path, default=VECTOR_CACHE,
                        help="file that keeps embeddings between runs")
    parser.add_argument("--backend", choices=BACKENDS, default="torch",
                        help="what runs the model (JAMS_EMBEDDING_BACKEND)")
    parser.add_argument("--verbose", action="store_true", help="every pair's decision")
    args = parser.parse_args(argv)
    try:
        if args.file:
            sets = {"file": load_pairs(Path(args.file))}
        else:
            dev, test = split(load_blind(BLIND_DIR))
            sets = {"regression": load_pairs(DEFAULT_SET), "dev": dev, "test": test}
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    embedder = None if args.no_embeddings else open_embedder(args.cache, args.backend)
    engine, weights = Engine(default_taxonomy()), load_weights(DEFAULT_FILE)
    scored = {name: evaluate(pairs, engine, weights, embedder) for name, pairs in sets.items()}
    if embedder is not None and embedder.encoded:
        save_vector_file(args.cache, embedder.snapshot())
    if args.file:
        _print_rows(scored["file"])
        print(json.dumps(metrics(scored["file"])))
        return 0
    if args.verbose:
        for rows in scored.values():
            _print_rows(rows)
    report(scored)
    print(json.dumps({name: metrics(rows) for name, rows in scored.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
