"""Scoring config versions stored through the API: validated, kept in the document store so
every replica adopts them, and preferred over the weights file until the file changes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import structlog
from pydantic import ValidationError

from infra.clock import Clock, sleep_unless_stopped
from infra.documents import DocumentStore
from infra.uow import Transaction
from schemas.events.config import ScoringConfigChanged
from services.ats_engine.weights import Weights, WeightsSource

log = structlog.get_logger(__name__)
COLLECTION = "ats_scoring_config"
CURRENT = "current"


@dataclass
class AdoptableWeights(WeightsSource):
    """The weights file's version, or the one adopted from the API since the file last changed."""

    _adopted: Weights | None = field(default=None, init=False)
    _adopted_at_stamp: int = field(default=0, init=False)

    def adopt(self, weights: Weights) -> None:
        super().current()  # notice a file change first, so the stamp below is the file's
        weights = self._apply(weights)
        if weights == self._adopted:
            return
        log.info("scoring config adopted", version=weights.version)
        self._adopted, self._adopted_at_stamp = weights, self._stamp

    def current(self) -> Weights:
        from_file = super().current()
        # A newer file (an operator's edit) wins over what the API set before it.
        if self._adopted is not None and self._stamp == self._adopted_at_stamp:
            return self._adopted
        return from_file


def parse(event: ScoringConfigChanged) -> Weights | None:
    try:
        return Weights.model_validate({**event.config, "version": event.version})
    except ValidationError as exc:
        log.error("scoring config rejected; keeping the current one", version=event.version,
                  error=str(exc))
        return None


class ConfigHandlers:
    """Takes ScoringConfigChanged; polls the stored version so every replica follows it."""

    def __init__(self, documents: DocumentStore, weights: AdoptableWeights, clock: Clock,
                 poll_interval_s: float = 5.0) -> None:
        self._documents = documents
        self._weights = weights
        self._clock = clock
        self._poll_interval_s = poll_interval_s

    async def on_scoring_config_changed(self, event: ScoringConfigChanged,
                                        tx: Transaction) -> None:
        weights = parse(event)
        if weights is None:
            return
        await self._documents.put(COLLECTION, CURRENT, weights.model_dump(mode="json"))
        self._weights.adopt(weights)

    async def refresh(self) -> None:
        stored = await self._documents.get(COLLECTION, CURRENT)
        if stored is None:
            return
        stored.pop("_id", None)
        try:
            self._weights.adopt(Weights.model_validate(stored))
        except ValidationError as exc:
            log.error("stored scoring config is invalid", error=str(exc))

    async def follow(self, stop: asyncio.Event) -> None:
        """Background loop: adopt the stored version at start and whenever it changes."""
        while not stop.is_set():
            try:
                await self.refresh()
            except Exception as exc:  # a store hiccup must not stop scoring
                log.warning("could not read the stored scoring config", error=str(exc))
            if await sleep_unless_stopped(self._clock, self._poll_interval_s, stop):
                return
