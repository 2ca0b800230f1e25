"""Embedding cache and batching, with a counting stand-in for the model."""

from __future__ import annotations

import hashlib
import math
from typing import Any

from services.ats_engine.embeddings import DIMENSIONS, Embedder, cosine, mean_vector, semantic_fit


class BagOfWords:
    """Hashes words into 384 dimensions: similar texts get similar vectors; counts calls."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def encode(self, sentences: list[str], **kwargs: Any) -> list[list[float]]:
        self.batches.append(list(sentences))
        return [bag(s) for s in sentences]


def bag(text: str) -> list[float]:
    vector = [0.0] * DIMENSIONS
    for word in text.lower().split():
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % DIMENSIONS] += 1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def test_the_same_text_is_never_embedded_twice() -> None:
    model = BagOfWords()
    embedder = Embedder(model)
    first = embedder.embed(["python services", "react pages", "python services"])
    second = embedder.embed(["react pages", "kafka streams"])
    assert model.batches == [["python services", "react pages"], ["kafka streams"]]
    assert embedder.encoded == 3
    assert first[0] == first[2] and second[0] == first[1]


def test_the_cache_is_bounded() -> None:
    model = BagOfWords()
    embedder = Embedder(model, cache_size=2)
    embedder.embed(["a", "b", "c"])
    embedder.embed(["a"])
    assert model.batches[-1] == ["a"], "the oldest entry was evicted"


def test_semantic_fit_picks_the_best_resume_chunk() -> None:
    job = [bag("kafka event streams"), bag("postgresql schema design")]
    resume = [bag("led a team"), bag("postgresql schema design and tuning"),
              bag("kafka event streams at scale")]
    value, best, similarities = semantic_fit(job, resume)
    assert best == [2, 1] and 0.5 < value <= 1.0
    assert abs(similarities[0] - cosine(job[0], resume[2])) < 1e-6
    assert abs(value - sum(similarities) / 2) < 1e-6
    assert abs(cosine(mean_vector(resume), mean_vector(resume)) - 1.0) < 1e-9
