"""Semantic fit and preselection: chunk embeddings off the event loop, vectors in pgvector."""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ats_engine.embeddings import (
    DIMENSIONS,
    MODEL_NAME,
    Embedder,
    Matrix,
    content_key,
    mean_vector,
    semantic_fit,
)
from services.ats_engine.jd import JobRequirements
from services.ats_engine.resume import ResumeProfile
from services.ats_engine.scoring import Evidence, SemanticMatch
from services.ats_engine.tables import embeddings
from services.ats_engine.vectors import nearest_candidates, store_candidate_vector

MAX_RESUME_CHUNKS = 200
RESUME_MATRICES = 5_000  # resumes whose chunk matrix is kept (some 15 KB each)


class Semantic:
    """Embeds resume and job chunks (loading the model on first use) for fit and preselection."""

    def __init__(self, make_embedder: Callable[[], Embedder], preselect_limit: int = 200,
                 model: str = MODEL_NAME) -> None:
        self._make = make_embedder
        self.model = model  # the embedder's `model`: what vectors are keyed and stored by
        self._embedder: Embedder | None = None
        self._lock = asyncio.Lock()
        self.preselect_limit = preselect_limit
        self._unstored: dict[str, list[float]] = {}
        self._resume_matrices: OrderedDict[tuple[str, ...], Matrix] = OrderedDict()

    async def _embed(self, conn: AsyncConnection, texts: list[str], *,
                     store: bool = True) -> list[list[float]]:
        """Vectors from memory, then from the ats_embeddings table, then from the model;
        what the model made is stored (now, or with the next call that stores), so no text is
        embedded twice, restarts included."""
        held = self._held(texts, store)
        if held is not None:
            return held  # no wait behind another job's embedding for vectors already here
        async with self._lock:  # one model, one batch at a time
            if self._embedder is None:
                self._embedder = await asyncio.to_thread(self._make)
            embedder = self._embedder
            keys = [content_key(t, self.model) for t in texts]
            missing = sorted(set(keys) - set(embedder.known(keys)))
            stored: set[str] = set()
            if missing:
                rows = await conn.execute(
                    sa.select(embeddings.c.content_sha256, embeddings.c.embedding)
                    .where(embeddings.c.content_sha256.in_(missing)))
                found = {row.content_sha256: [float(x) for x in row.embedding] for row in rows}
                embedder.remember(found)
                stored = set(found)
            vectors = await asyncio.to_thread(embedder.embed, texts)
            self._unstored.update({key: vector for key, vector in zip(keys, vectors, strict=True)
                                   if key in missing and key not in stored})
            if store and self._unstored:
                await conn.execute(insert(embeddings).values(
                    [{"content_sha256": key, "model": self.model, "embedding": vector}
                     for key, vector in self._unstored.items()]).on_conflict_do_nothing())
                self._unstored.clear()
            return vectors

    def _held(self, texts: list[str], store: bool) -> list[list[float]] | None:
        """The vectors of `texts` if all are in memory and nothing waits to be stored."""
        if self._embedder is None or (store and self._unstored):
            return None
        keys = [content_key(t, self.model) for t in texts]
        try:  # the model's thread may evict an entry meanwhile: then take the slow path
            known = self._embedder.known(keys)
            return [known[key] for key in keys]
        except KeyError:
            return None

    async def prepare_job(self, conn: AsyncConnection, job: JobRequirements) -> None:
        """Embed a job's text ahead of scoring, writing nothing: run outside the scoring lock,
        the model works on one job while another is scored (their vectors are stored with the
        next call that stores, inside the lock, so no two transactions race on a row)."""
        await self._embed(conn, [job.title, *job.chunks], store=False)

    @staticmethod
    def _resume_chunks(profile: ResumeProfile) -> list[str]:
        return [text for text, _, _ in profile.chunks][:MAX_RESUME_CHUNKS]

    async def index_resume(self, conn: AsyncConnection, candidate_id: uuid.UUID,
                           resume_version_id: uuid.UUID, profile: ResumeProfile) -> None:
        vectors = await self._embed(conn, self._resume_chunks(profile))
        await store_candidate_vector(conn, candidate_id, resume_version_id, mean_vector(vectors))

    async def forget_resume(self, conn: AsyncConnection, profile: ResumeProfile) -> None:
        """An erased candidate's resume: its chunks' vectors, stored and in memory, and its
        matrix, which is kept by the chunks' text (a chunk another text shares is embedded
        again when next needed)."""
        texts = self._resume_chunks(profile)
        keys = [content_key(text, self.model) for text in texts]
        async with self._lock:  # the model's thread touches the same memory
            await conn.execute(sa.delete(embeddings).where(embeddings.c.content_sha256.in_(keys)))
            for key in keys:
                self._unstored.pop(key, None)
            if self._embedder is not None:
                self._embedder.forget(keys)
            self._resume_matrices.pop(tuple(texts), None)

    async def preselect(self, conn: AsyncConnection, job: JobRequirements) -> list[uuid.UUID]:
        vectors = await self._embed(conn, [job.title, *job.chunks])
        nearest = await nearest_candidates(conn, mean_vector(vectors), self.preselect_limit)
        return [candidate for candidate, _ in nearest]

    async def fit(self, conn: AsyncConnection, job: JobRequirements,
                  profile: ResumeProfile) -> SemanticMatch:
        """Mean best cosine of the job's chunks against the resume's (0-1), and for each job
        line the resume line closest in meaning."""
        texts = fit_texts(job, profile)
        return semantic_match(job, profile, await self._embed(conn, texts) if texts else [])

    async def fit_many(self, conn: AsyncConnection,
                       pairs: Sequence[tuple[JobRequirements, ResumeProfile]],
                       ) -> list[SemanticMatch]:
        """`fit` of each pair, with every distinct text looked up or embedded in one pass, each
        job's chunks made a matrix once and each resume's kept as one between jobs."""
        import numpy as np

        texts_of = [fit_texts(job, profile) for job, profile in pairs]
        distinct = list(dict.fromkeys(text for texts in texts_of for text in texts))
        vectors = dict(zip(distinct, await self._embed(conn, distinct), strict=True)) \
            if distinct else {}
        job_matrices: dict[int, Matrix] = {}
        fits = []
        for (job, profile), texts in zip(pairs, texts_of, strict=True):
            if not texts:
                fits.append(SemanticMatch(0.0, {}))
                continue
            if id(job) not in job_matrices:
                job_matrices[id(job)] = np.asarray([vectors[t] for t in job.chunks],
                                                   dtype=np.float32)
            fits.append(match_of(job, profile, job_matrices[id(job)],
                                 self._resume_matrix(texts[len(job.chunks):], vectors)))
        return fits

    async def chunk_matrices(self, conn: AsyncConnection, job: JobRequirements,
                             profiles: Sequence[ResumeProfile]) -> tuple[Matrix, list[Matrix]]:
        """The job's chunk matrix and each resume's (kept between jobs), every distinct text
        looked up or embedded in one pass: what stage one and `match_of` take."""
        import numpy as np

        texts_of = [self._resume_chunks(p) if job.chunks else [] for p in profiles]
        distinct = list(dict.fromkeys([*job.chunks, *(t for texts in texts_of for t in texts)]))
        vectors = dict(zip(distinct, await self._embed(conn, distinct), strict=True)) \
            if distinct else {}
        job_matrix = np.asarray([vectors[t] for t in job.chunks], dtype=np.float32) \
            .reshape(len(job.chunks), DIMENSIONS)
        empty = np.zeros((0, DIMENSIONS), dtype=np.float32)
        return job_matrix, [self._resume_matrix(texts, vectors) if texts else empty
                            for texts in texts_of]

    def _resume_matrix(self, texts: list[str], vectors: dict[str, list[float]]) -> Matrix:
        """A resume's chunk vectors as one matrix, kept for the next job that meets it."""
        import numpy as np

        key = tuple(texts)
        found = self._resume_matrices.get(key)
        if found is None:
            found = np.asarray([vectors[t] for t in texts], dtype=np.float32)
            self._resume_matrices[key] = found
            while len(self._resume_matrices) > RESUME_MATRICES:
                self._resume_matrices.popitem(last=False)
        else:
            self._resume_matrices.move_to_end(key)
        return found


def fit_texts(job: JobRequirements, profile: ResumeProfile) -> list[str]:
    """What a pair's fit embeds: the job's chunks, then the resume's (none if either is empty)."""
    chunks = profile.chunks[:MAX_RESUME_CHUNKS]
    if not job.chunks or not chunks:
        return []
    return [*job.chunks, *(text for text, _, _ in chunks)]


def semantic_match(job: JobRequirements, profile: ResumeProfile,
                   vectors: Sequence[Sequence[float]]) -> SemanticMatch:
    """The fit from the vectors of `fit_texts(job, profile)`, in that order."""
    if not vectors:
        return SemanticMatch(0.0, {})
    return match_of(job, profile, vectors[:len(job.chunks)], vectors[len(job.chunks):])


def match_of(job: JobRequirements, profile: ResumeProfile, job_vectors: Matrix,
             resume_vectors: Matrix) -> SemanticMatch:
    """The fit from the job's chunk vectors and the resume's (`fit_texts` order)."""
    chunks = profile.chunks[:MAX_RESUME_CHUNKS]
    value, best, similarities = semantic_fit(job_vectors, resume_vectors)
    closest = {}
    for line, index, similarity in zip(job.chunks, best, similarities, strict=True):
        text, start, _ = chunks[index]
        closest[line] = Evidence(text[:240], start, start + min(len(text), 240),
                                 round(similarity, 3))
    return SemanticMatch(max(0.0, min(1.0, value)), closest)
