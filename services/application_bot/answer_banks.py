"""Candidates' orders to the bot: answer banks set through the API (kept in the bot's own
JSONB documents, so every replica reads them) and erasure of their personal data."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from typing import Any

import structlog

from infra.blobs import BlobStore
from infra.documents import DocumentStore
from infra.service import TransactionalHandler
from infra.uow import Transaction
from schemas.events.candidates import CandidateErased, UpdateAnswerBank
from schemas.events.envelope import EventData
from services.application_bot.adapters.candidates import CandidateDirectory
from services.application_bot.domain import Applicant
from services.application_bot.portal_sessions import erase_sessions
from services.application_bot.privacy_handlers import erase_evidence, on_candidate_erased
from services.application_bot.questionnaires import FIT_ANSWERS
from services.application_bot.screening import AnswerBank, bank_of

log = structlog.get_logger(__name__)
COLLECTION = "bot_answer_banks"


def _bank(stored: Mapping[str, Any]) -> AnswerBank | None:
    try:
        return bank_of((tuple(str(k) for k in fact["keywords"]), str(fact["answer"]),
                        str(fact["source"])) for fact in stored["answers"])
    except (KeyError, TypeError):
        log.error("stored answer bank is unreadable; the seed's stays in use")
        return None


class StoredAnswerBanks:
    """A candidate directory whose answer banks are the ones set through the API, if any."""

    def __init__(self, directory: CandidateDirectory, documents: DocumentStore) -> None:
        self._directory = directory
        self._documents = documents

    async def applicant(self, candidate_id: uuid.UUID) -> Applicant | None:
        applicant = await self._directory.applicant(candidate_id)
        if applicant is None:
            return None
        stored = await self._documents.get(COLLECTION, str(candidate_id))
        bank = _bank(stored) if stored is not None else None
        return applicant if bank is None else dataclasses.replace(applicant, answers=bank)


class CandidateOrders:
    """Handlers of the candidates topic, and the directory that sees their answer banks."""

    def __init__(self, documents: DocumentStore, blobs: BlobStore) -> None:
        self._documents = documents
        self._blobs = blobs

    def directory(self, directory: CandidateDirectory) -> StoredAnswerBanks:
        return StoredAnswerBanks(directory, self._documents)

    @property
    def handlers(self) -> dict[type[EventData], TransactionalHandler]:
        return {UpdateAnswerBank: self.on_update_answer_bank,
                CandidateErased: self.on_candidate_erased}

    async def on_update_answer_bank(self, event: UpdateAnswerBank, tx: Transaction) -> None:
        if _bank({"answers": event.answers}) is None:
            return
        await self._documents.put(COLLECTION, str(event.candidate_id),
                                  {"answers": event.answers})

    async def on_candidate_erased(self, event: CandidateErased, tx: Transaction) -> None:
        await erase_evidence(event, tx, self._blobs)
        await erase_sessions(self._blobs, event.candidate_id)
        await on_candidate_erased(event, tx)
        await self._documents.put(COLLECTION, str(event.candidate_id), {"answers": []})
        await self._documents.put(FIT_ANSWERS, str(event.candidate_id), {"answers": {}})
