"""Composition root of the ATS engine."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog

from infra.runtime import Platform
from infra.service import ServiceSpec
from schemas.events.candidates import (
    CandidateErased,
    UpdateCandidatePreferences,
)
from schemas.events.config import ScoringConfigChanged
from schemas.events.jobs import JobExpired, JobPublished, JobReopened, JobUpdated
from schemas.events.recruiting import QuestionnaireAnswered
from schemas.events.rescoring import RescoreRequested
from schemas.events.resumes import ResumeFileUploaded, ResumeVersionCreated
from services.ats_engine.candidate_handlers import on_update_preferences
from services.ats_engine.config_handlers import AdoptableWeights, ConfigHandlers
from services.ats_engine.embeddings import MODEL_NAME, Embedder, load_encoder, model_id
from services.ats_engine.engine import Engine
from services.ats_engine.handlers import AtsHandlers
from services.ats_engine.intake import on_file_uploaded
from services.ats_engine.rescore import RescoreWorker, WeightsWatch, on_rescore_requested
from services.ats_engine.seeding import load_seed, seed_candidates
from services.ats_engine.semantic import Semantic
from services.ats_engine.settings import AtsSettings
from services.ats_engine.skills import default_taxonomy

log = structlog.get_logger(__name__)


def _embedder_factory(settings: AtsSettings) -> Callable[[], Embedder]:
    def load() -> Embedder:
        backend = settings.embedding_backend
        encoder, device = load_encoder(backend=backend, cache_dir=settings.data_dir / "models")
        log.info("embedding model loaded", model=MODEL_NAME, backend=backend, device=device)
        return Embedder(encoder, model=model_id(backend))

    return load


def build(platform: Platform, settings: AtsSettings) -> ServiceSpec:
    engine = Engine(default_taxonomy(), settings.limits())
    weights = AdoptableWeights(settings.weights_file, settings.threshold_overrides())
    config = ConfigHandlers(platform.documents, weights, platform.clock)
    # Without the model, scoring falls back to the rules alone (recorded in each match's
    # versions: no embedding model named).
    # One per process: every replica it runs shares the model, its vectors and its queue.
    semantic = Semantic(_embedder_factory(settings), settings.preselect_limit,
                        model_id(settings.embedding_backend)) \
        if settings.embeddings_enabled() else None
    handlers = AtsHandlers(platform.blobs, engine, weights, semantic)
    uow = platform.unit_of_work("ats_engine")
    seed = load_seed(settings.candidates_seed) if settings.candidates_seed else []

    async def seed_once(stop: asyncio.Event) -> None:
        created = await seed_candidates(seed, platform.blobs, uow, engine)
        log.info("candidates seeded", new_resume_versions=created, candidates=len(seed))

    return ServiceSpec(
        name="ats_engine",
        handlers={
            JobPublished: handlers.on_job_published,
            JobUpdated: handlers.on_job_updated,
            JobExpired: handlers.on_job_expired,
            JobReopened: handlers.on_job_reopened,
            ResumeVersionCreated: handlers.on_resume_version_created,
            ResumeFileUploaded: on_file_uploaded,
            UpdateCandidatePreferences: on_update_preferences,
            CandidateErased: handlers.on_candidate_erased,
            ScoringConfigChanged: config.on_scoring_config_changed,
            RescoreRequested: on_rescore_requested,
            QuestionnaireAnswered: handlers.on_questionnaire_answered,
        },
        background=[config.follow, RescoreWorker(uow, handlers, weights).run,
                    WeightsWatch(uow, weights).run, *([seed_once] if seed else [])],
        consumer_members=settings.ats_replicas,
    )
