"""Stage one against the full scorer: how often the two-stage decision is the full scorer's,
and how far stage one's score falls under the full score where stage one decided alone."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from services.ats_engine.domain import Decision
from services.ats_engine.embeddings import VECTOR_CACHE, Embedder, embed_documents, open_embedder
from services.ats_engine.engine import Engine, ParsedResume, candidate_place
from services.ats_engine.filters import Preferences
from services.ats_engine.jd import JobRequirements
from services.ats_engine.scoring import MatchOutcome
from services.ats_engine.semantic import fit_texts, semantic_match
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.stage_one import FeatureSpace, plan, score_block, semantic_fits, stack
from services.ats_engine.tools.evaluate import (
    BLIND_DIR,
    DEFAULT_SET,
    TODAY,
    Pair,
    load_blind,
    load_pairs,
    metrics,
    split,
)
from services.ats_engine.weights import DEFAULT_FILE, Weights, load_weights


@dataclass(frozen=True)
class Compared:
    """One pair as both stages see it."""

    full: MatchOutcome
    stage_one_score: float
    stage_one_final: bool

    @property
    def two_stage(self) -> Decision:
        return Decision.REJECT if self.stage_one_final else self.full.decision


def compare(engine: Engine, weights: Weights,
            pairs: Sequence[tuple[ParsedResume, JobRequirements]],
            vectors: Sequence[Sequence[Sequence[float]]] | None = None) -> list[Compared]:
    """Each pair scored by the full scorer and by stage one (the pairs of one job object as
    one block); `vectors`: each pair's `fit_texts` vectors, for semantic fit."""
    space = FeatureSpace(engine.taxonomy)
    no_preferences = Preferences()
    by_job: dict[int, list[int]] = {}
    for index, (_, job) in enumerate(pairs):
        by_job.setdefault(id(job), []).append(index)
    stage: dict[int, tuple[float, bool]] = {}
    for indexes in by_job.values():
        job = pairs[indexes[0]][1]
        block = stack([space.features(pairs[i][0].profile,
                                      candidate_place(pairs[i][0].profile, no_preferences))
                       for i in indexes])
        fits = None
        if vectors is not None:
            chunks = len(job.chunks)
            job_matrix = np.asarray(vectors[indexes[0]][:chunks] if vectors[indexes[0]]
                                    else np.zeros((chunks, 1)), dtype=np.float32)
            fits = semantic_fits(job_matrix, [
                np.asarray(vectors[i][chunks:], dtype=np.float32) if vectors[i]
                else np.zeros((0, job_matrix.shape[1]), dtype=np.float32) for i in indexes])
        result = score_block(plan(job, space), block, weights, fits)
        for row, index in enumerate(indexes):
            stage[index] = (float(result.score[row]), bool(result.final[row]))
    out = []
    for index, (resume, job) in enumerate(pairs):
        fit = semantic_match(job, resume.profile, vectors[index]) if vectors is not None \
            else None
        out.append(Compared(engine.score(resume, job, weights, fit), *stage[index]))
    return out


def figures(rows: Sequence[Compared], weights: Weights) -> dict[str, Any]:
    """Agreement of the two-stage decision with the full scorer's, applies it would add, the
    share stage one decides alone, and the widest gap by which the full score exceeded stage
    one's among uncapped pairs (what the margin must cover)."""
    decided = [r for r in rows if r.stage_one_final]
    gaps = [r.full.score - r.stage_one_score for r in rows if r.full.cap is None
            or r.full.cap >= weights.thresholds.review_floor]
    return {
        "pairs": len(rows),
        "agreement": round(sum(r.two_stage is r.full.decision for r in rows) / len(rows), 5)
        if rows else None,
        "applies_added": sum(r.two_stage is Decision.APPLY and r.full.decision
                             is not Decision.APPLY for r in rows),
        "stage_one_share": round(len(decided) / len(rows), 4) if rows else None,
        "widest_gap": round(max(gaps), 4) if gaps else None,
    }


def labelled_sets() -> dict[str, list[Pair]]:
    """The sets `make eval-ats` reads: the regression set, the blind set's dev and test."""
    dev, test = split(load_blind(BLIND_DIR))
    return {"regression": load_pairs(DEFAULT_SET), "dev": dev, "test": test}


def parsed(engine: Engine, pairs: Sequence[Pair]) -> list[tuple[ParsedResume, JobRequirements]]:
    """Each pair parsed as `make eval-ats` parses it, one job object per distinct post."""
    jobs: dict[tuple[str, str, str], JobRequirements] = {}
    out = []
    for pair in pairs:
        key = (pair.job.title, pair.job.description, pair.job.location)
        if key not in jobs:
            jobs[key] = engine.parse_job(*key)
        out.append((engine.parse_text(pair.resume_text, TODAY), jobs[key]))
    return out


def labelled_pairs(engine: Engine) -> list[tuple[ParsedResume, JobRequirements]]:
    return parsed(engine, [pair for pairs in labelled_sets().values() for pair in pairs])


def pair_vectors(embedder: Embedder, pairs: Sequence[tuple[ParsedResume, JobRequirements]],
                 ) -> list[list[list[float]]]:
    return embed_documents(embedder, [fit_texts(job, r.profile) for r, job in pairs])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-embeddings", action="store_true")
    args = parser.parse_args(argv)
    engine, weights = Engine(default_taxonomy()), load_weights(DEFAULT_FILE)
    embedder = None if args.no_embeddings else open_embedder(VECTOR_CACHE)
    result: dict[str, Any] = {}
    for name, pairs in labelled_sets().items():
        both = parsed(engine, pairs)
        vectors = pair_vectors(embedder, both) if embedder is not None else None
        rows = compare(engine, weights, both, vectors)
        # The figures of `make eval-ats` with the two-stage decision and stage one's score
        # where stage one decided.
        two_stage = [(pair, row.stage_one_score if row.stage_one_final else row.full.score,
                      row.two_stage.value) for pair, row in zip(pairs, rows, strict=True)]
        result[name] = {**figures(rows, weights), "two_stage_eval": metrics(two_stage)}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
