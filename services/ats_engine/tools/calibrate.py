"""Calibrate the scoring config on a labelled set: semantic weight and lift, the context floor,
and the knots that turn the raw combination into a score whose bands mean what they say.

Every candidate setting is one general rule applied to every pair; nothing is per pair. The
knots are placed between labelled groups (review floor between rejects and reviews, the
auto-apply line where approvals stay precise), and the whole choice is also checked by leaving
each candidate out in turn (`cv_accuracy`: decisions on people the choice never saw).

    python -m services.ats_engine.tools.calibrate [FILE] [--write]   # default: the blind dev half
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from services.ats_engine.embeddings import (
    VECTOR_CACHE,
    embed_documents,
    open_embedder,
    save_vector_file,
)
from services.ats_engine.engine import Engine, ParsedResume
from services.ats_engine.jd import JobRequirements
from services.ats_engine.scoring import SemanticMatch
from services.ats_engine.semantic import fit_texts, semantic_match
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.tools.evaluate import (
    BLIND_DIR,
    TODAY,
    Pair,
    load_blind,
    load_pairs,
    split,
)
from services.ats_engine.weights import DEFAULT_FILE, Weights, load_weights

SEMANTIC_WEIGHTS = (0.0, 0.1, 0.2)
LIFTS = (0.0, 0.2, 0.4)
FLOORS = (0.0, 0.25, 0.5)
TITLE_WEIGHTS = (0.08, 0.16, 0.24)
PRIORS = (0.0, 1.0, 2.0)
TITLE_SHARES = (0.0, 0.4, 0.5, 0.6)  # second stage, on the best settings of the first
OVERQUALIFIED = (0.0, 6.0, 8.0)
LISTED_ONLY = (0.5, 0.7, 0.85)
# Policy, not fitted: a post that leads people needs a role that shows it, and a post must
# name at least two must-haves we know before anything applies unattended.
MANAGER_EVIDENCE = (True,)
NAMED_MUSTS = (2,)
MIN_PRECISION = 0.95
MIN_RECALL = 0.6


@dataclass(frozen=True)
class Scored:
    label: str
    raw: float
    capped: bool  # a cap keeps it under the auto-apply line
    gated: bool  # a hard gate sends an approval to review
    group: str  # the resume: one candidate


@dataclass(frozen=True)
class Choice:
    review_knot: float
    apply_knot: float
    correct: int
    margin: float
    recall: float = 0.0

    @property
    def rank(self) -> tuple[bool, int, float]:
        """Approvals precise first; then reaching the recall goal, correct decisions, margin."""
        return (self.recall >= MIN_RECALL, self.correct, self.margin)


def decide(row: Scored, review_knot: float, apply_knot: float) -> str:
    if row.raw >= apply_knot and not row.capped:
        return "review" if row.gated else "apply"
    return "review" if row.raw >= review_knot else "reject"


def _between(values: Iterable[float], low: float, high: float) -> list[float]:
    """Midpoints between neighbouring raw values (where a knot can change a decision)."""
    ordered = sorted(set(values))
    points = [round((a + b) / 2, 2) for a, b in itertools.pairwise(ordered)]
    return [p for p in points if low <= p <= high]


def choose_knots(rows: Sequence[Scored]) -> Choice | None:
    """Knots with the most correct decisions, approvals precise enough; then the widest gap."""
    best: Choice | None = None
    raws = [r.raw for r in rows]
    for apply_knot in [90.0, *_between(raws, 70, 98)]:
        approved = [r for r in rows if r.raw >= apply_knot and not r.capped and not r.gated]
        apply_total = sum(1 for r in rows if r.label == "apply")
        hits = sum(1 for r in approved if r.label == "apply")
        if not approved or hits / len(approved) < MIN_PRECISION:
            continue
        recall = hits / apply_total if apply_total else 0.0
        for review_knot in [50.0, *_between(raws, 5, min(apply_knot, 80))]:
            if review_knot >= apply_knot:
                continue
            correct = sum(1 for r in rows if decide(r, review_knot, apply_knot) == r.label)
            margin = min(min(abs(r.raw - review_knot), abs(r.raw - apply_knot)) for r in rows)
            choice = Choice(review_knot, apply_knot, correct, round(margin, 3), round(recall, 4))
            if best is None or choice.rank > best.rank:
                best = choice
    return best


def with_settings(base: Weights, semantic: float, lift: float, floor: float, title: float,
                  prior: float = 0.0, title_share: float = 0.0, overqualified: float = 0.0,
                  listed_only: float = 0.85, manager: bool = False,
                  named_musts: int = 0) -> Weights:
    weights = {**base.weights, "semantic": semantic, "title": title}
    return base.model_copy(update={"weights": weights, "semantic_lift": lift,
                                   "context_floor": floor, "calibration": [],
                                   "calibration_rules_only": None,
                                   "semantic_prior": prior, "min_title_share": title_share,
                                   "overqualified_years": overqualified,
                                   "listed_only_credit": listed_only,
                                   "manager_evidence": manager,
                                   "min_named_musts": named_musts})


Parsed = tuple[Pair, ParsedResume, JobRequirements]  # parsed once for the whole grid


def parse_all(pairs: list[Pair], engine: Engine) -> list[Parsed]:
    return [(pair, engine.parse_text(pair.resume_text, TODAY),
             engine.parse_job(pair.job.title, pair.job.description, pair.job.location))
            for pair in pairs]


def raw_scores(parsed: list[Parsed], engine: Engine, weights: Weights,
               fits: list[SemanticMatch | None]) -> list[Scored]:
    out = []
    for (pair, resume, job), fit in zip(parsed, fits, strict=True):
        outcome = engine.score(resume, job, weights, fit)
        out.append(Scored(pair.label, outcome.raw, outcome.cap is not None, bool(resume.gates),
                          pair.group))
    return out


def semantic_fits(parsed: list[Parsed], cache: Path) -> list[SemanticMatch | None]:
    embedder = open_embedder(cache)
    if embedder is None:
        return [None] * len(parsed)
    vectors = embed_documents(embedder, [fit_texts(job, r.profile) for _, r, job in parsed])
    if embedder.encoded:
        save_vector_file(cache, embedder.snapshot())
    return [semantic_match(job, r.profile, v)
            for (_, r, job), v in zip(parsed, vectors, strict=True)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", default="", help="JSON Lines pairs (default: the dev "
                        f"half of the blind set {BLIND_DIR}; never the test half)")
    parser.add_argument("--write", action="store_true", help="store the choice in the weights "
                        "file as a new version")
    parser.add_argument("--version", default=None, help="version name of what --write stores")
    parser.add_argument("--cache", type=Path, default=VECTOR_CACHE)
    args = parser.parse_args(argv)
    pairs = load_pairs(Path(args.file)) if args.file else split(load_blind(BLIND_DIR))[0]
    engine = Engine(default_taxonomy())
    base = load_weights(DEFAULT_FILE)
    parsed = parse_all(pairs, engine)
    fits = semantic_fits(parsed, args.cache)
    Key = tuple[float, float, float, float, float, float, float, float, bool, int]
    grid: dict[Key, list[Scored]] = {}
    for key in itertools.product(SEMANTIC_WEIGHTS, LIFTS, FLOORS, TITLE_WEIGHTS, PRIORS, (0.0,),
                                 (0.0,), (0.85,), MANAGER_EVIDENCE, NAMED_MUSTS):
        if fits[0] is None and (key[0] or key[1]):
            continue
        grid[key] = raw_scores(parsed, engine, with_settings(base, *key), fits)

    def ranking(keys: Iterable[Key]) -> list[tuple[Choice, Key]]:
        choices = [(choose_knots(grid[key]), key) for key in keys]
        return sorted(((c, k) for c, k in choices if c is not None),
                      # ties: less semantic weight and lift, the stricter limits
                      key=lambda item: (item[0].rank, -item[1][0], -item[1][1], -item[1][4],
                                        item[1][5], item[1][6], item[1][7], item[1][8],
                                        item[1][9]), reverse=True)

    first = ranking(list(grid))
    for _, key_ in first[:3]:
        for extra in itertools.product(TITLE_SHARES, OVERQUALIFIED, LISTED_ONLY,
                                       MANAGER_EVIDENCE, NAMED_MUSTS):
            key = (*key_[:5], *extra)
            if key not in grid:
                grid[key] = raw_scores(parsed, engine, with_settings(base, *key), fits)
    ranked = ranking(list(grid))
    for choice_, key_ in ranked[:8]:
        print(f"semantic {key_[0]:<4} lift {key_[1]:<4} floor {key_[2]:<5} title {key_[3]:<5}"
              f" prior {key_[4]:<4} title share {key_[5]:<4} overqualified {key_[6]:<4}"
              f" listed only {key_[7]:<4} manager {key_[8]!s:<5} named {key_[9]}"
              f" -> {choice_}", file=sys.stderr)
    if not ranked:
        print("error: no setting keeps approvals precise enough", file=sys.stderr)
        return 1
    choice, (semantic, lift, floor, title, prior, title_share, overqualified,
             listed_only, manager, named_musts) = ranked[0]
    knots = [(choice.review_knot, base.thresholds.review_floor),
             (choice.apply_knot, base.thresholds.auto_apply)]
    # Where the model is missing, the rules alone score: their own knots, same floor.
    rules_only = choose_knots(raw_scores(
        parsed, engine, with_settings(base, 0, 0, floor, title, 0, title_share, overqualified,
                                     listed_only, manager, named_musts),
        [None] * len(pairs))) if fits[0] is not None else None
    rules_knots = base.calibration_rules_only if rules_only is None else [
        (rules_only.review_knot, base.thresholds.review_floor),
        (rules_only.apply_knot, base.thresholds.auto_apply)]
    if rules_only is None:  # never fall back to the model's knots: they would apply too much
        print("no rules-only knots keep approvals precise: the file's are kept",
              file=sys.stderr)
    result = {"semantic_weight": semantic, "semantic_lift": lift, "context_floor": floor,
              "title_weight": title, "semantic_prior": prior, "min_title_share": title_share,
              "overqualified_years": overqualified, "listed_only_credit": listed_only,
              "manager_evidence": manager, "min_named_musts": named_musts,
              "calibration": knots, "correct": choice.correct,
              "approve_recall": choice.recall, "pairs": len(pairs),
              "calibration_rules_only": rules_knots,
              "rules_only_correct": None if rules_only is None else rules_only.correct,
              "margin": choice.margin, "embeddings": fits[0] is not None}
    if args.write:
        document = json.loads(DEFAULT_FILE.read_text())
        document["weights"].update(semantic=semantic, title=title)
        document.update(semantic_lift=lift, context_floor=floor, calibration=knots,
                        calibration_rules_only=rules_knots, min_title_share=title_share,
                        semantic_prior=prior, listed_only_credit=listed_only,
                        manager_evidence=manager, min_named_musts=named_musts,
                        overqualified_years=overqualified)
        if args.version:
            document["version"] = args.version
        Weights.model_validate(document)  # never write a file the engine would refuse
        text = json.dumps(document, indent=2)
        # Knots on one line each: (raw, score) reads as a pair.
        text = re.sub(r"\[\s+([-\d.]+),\s+([-\d.]+)\s+\]", r"[\1, \2]", text)
        DEFAULT_FILE.write_text(text + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
