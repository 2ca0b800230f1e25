"""The embedding model on each backend: encode throughput, and what it does to the decisions.

1. The chunks of 300 job descriptions (bench-ats's, one O*NET occupation each) encoded by
   each backend in turn in this run, PyTorch first: docs/s, and each one's ratio to PyTorch.
2. The blind labelled set's dev and test halves scored with each backend's vectors, each
   embedded afresh (no vector kept from an earlier run or another backend): AUROC, and how
   many points int8 weights lose against PyTorch (allowed: at most one).

Exported ONNX models are built once into --models (the first run pays the export). Progress
on stderr; the last stdout line is one JSON object."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from bench.bench_ats import job_documents
from services.ats_engine.embeddings import (
    BACKENDS,
    MODEL_CACHE,
    Backend,
    Embedder,
    Encoder,
    load_encoder,
    model_id,
)
from services.ats_engine.engine import Engine
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.tools.evaluate import BLIND_DIR, evaluate, load_blind, metrics, split
from services.ats_engine.weights import DEFAULT_FILE, load_weights

console = Console(stderr=True)
INT8_AUROC_LOSS_ALLOWED = 0.01  # one point of AUROC


def encode_rate(encoder: Encoder, documents: list[list[str]]) -> tuple[float, np.ndarray]:
    """Documents a second through plain `encode` (batches of 64, as the engine's), and the
    vectors, in order."""
    flat = [chunk for chunks in documents for chunk in chunks]
    encoder.encode(flat[:64], batch_size=64, normalize_embeddings=True)  # warm up
    started = time.perf_counter()
    vectors = encoder.encode(flat, batch_size=64, normalize_embeddings=True,
                             convert_to_numpy=True, show_progress_bar=False)
    return len(documents) / (time.perf_counter() - started), np.asarray(vectors)


def decision_quality(encoder: Encoder, backend: Backend) -> dict[str, float | None]:
    """AUROC of the blind set's dev and test halves scored with this backend's vectors."""
    dev, test = split(load_blind(BLIND_DIR))
    engine, weights = Engine(default_taxonomy()), load_weights(DEFAULT_FILE)
    figures: dict[str, float | None] = {}
    for name, pairs in (("dev", dev), ("test", test)):
        embedder = Embedder(encoder, model=model_id(backend))  # empty: every text embedded
        figures[name] = metrics(evaluate(pairs, engine, weights, embedder))["auroc"]
    return figures


def run(backends: list[Backend], models: Path, jobs: int) -> dict[str, Any]:
    documents = [job.chunks for job in job_documents(Engine(default_taxonomy()), jobs)]
    result: dict[str, Any] = {"jobs": jobs, "chunks": sum(len(d) for d in documents)}
    reference: np.ndarray | None = None
    baseline = 0.0
    for backend in backends:
        started = time.perf_counter()
        encoder, device = load_encoder(backend=backend, cache_dir=models)
        result[f"{backend}_load_s"] = round(time.perf_counter() - started, 2)
        rate, vectors = encode_rate(encoder, documents)
        if reference is None:
            reference, baseline = vectors, rate
        result[f"{backend}_docs_per_s"] = round(rate, 2)
        result[f"{backend}_encode_ratio"] = round(rate / baseline, 3)
        result[f"{backend}_lowest_cosine"] = round(float((vectors * reference).sum(1).min()), 4)
        quality = decision_quality(encoder, backend)
        result[f"{backend}_auroc_dev"] = quality["dev"]
        result[f"{backend}_auroc_test"] = quality["test"]
        console.print(f"{backend} on {device}: {rate:.1f} docs/s ({rate / baseline:.2f}\u00d7 the "
                      f"first), AUROC dev {quality['dev']}, test {quality['test']}")
    if {"torch", "onnx-int8"} <= set(backends):
        loss = max((result[f"torch_auroc_{half}"] or 0) - (result[f"onnx-int8_auroc_{half}"] or 0)
                   for half in ("dev", "test"))
        result["int8_auroc_loss_points"] = round(loss * 100, 2)
        result["int8_within_allowance"] = loss <= INT8_AUROC_LOSS_ALLOWED
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS),
                        help="in this order; ratios are against the first (PyTorch)")
    parser.add_argument("--models", type=Path, default=MODEL_CACHE,
                        help="where exported ONNX models are kept")
    parser.add_argument("--jobs", type=int, default=300)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.backends, args.models, args.jobs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
