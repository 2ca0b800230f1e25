"""The document store contract, run against every adapter: FerretDB (MongoDB wire) and JSONB."""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from motor.motor_asyncio import AsyncIOMotorClient

from infra.db import create_engine
from infra.documents import DocumentStore, InvalidDocument
from infra.documents.mongo import MongoDocumentStore
from infra.documents.port import MAX_DOCUMENT_BYTES
from infra.documents.postgres import PostgresDocumentStore

pytestmark = pytest.mark.integration


@pytest.fixture(params=["mongo", "postgres"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[DocumentStore]:
    # Servers are looked up only for the adapter under test, so each fails on its own.
    if request.param == "mongo":
        url: str = request.getfixturevalue("mongo_url")
        database = f"t_{uuid.uuid4().hex[:16]}"
        mongo = MongoDocumentStore(url, database=database)
        yield mongo
        await mongo.close()
        admin: AsyncIOMotorClient[dict[str, Any]] = AsyncIOMotorClient(url)
        await admin.drop_database(database)
        admin.close()
    else:
        engine = create_engine(request.getfixturevalue("database_url"), pool_size=2)
        yield PostgresDocumentStore(engine)
        await engine.dispose()


def sample() -> dict[str, Any]:
    return {
        "id": 4012345001,
        "title": "Senior Backend Engineer (Python)",
        "location": {"name": "Zürich"},
        "metadata": None,
        "remote": True,
        "salary": 123456.5,
        "departments": [{"id": 1, "name": "Engineering", "child_ids": [2, 3]}],
        "tags": ["python", "kafka"],
        "empty": {},
        "nothing": [],
    }


async def test_a_document_round_trips(store: DocumentStore) -> None:
    await store.put("raw_jobs", "greenhouse:1", sample())

    assert await store.get("raw_jobs", "greenhouse:1") == sample()


async def test_put_replaces_the_whole_document(store: DocumentStore) -> None:
    await store.put("raw_jobs", "k", sample())
    await store.put("raw_jobs", "k", {"title": "Platform Engineer"})

    assert await store.get("raw_jobs", "k") == {"title": "Platform Engineer"}
    assert await store.count("raw_jobs") == 1


async def test_count_is_per_collection(store: DocumentStore) -> None:
    for index in range(3):
        await store.put("raw_jobs", f"k{index}", {"n": index})
    await store.put("other", "k0", {"n": 0})

    assert await store.count("raw_jobs") == 3
    assert await store.count("other") == 1
    assert await store.count("never_written") == 0


async def test_missing_documents_are_none(store: DocumentStore) -> None:
    await store.put("raw_jobs", "present", {"a": 1})

    assert await store.get("raw_jobs", "absent") is None
    assert await store.get("other", "present") is None


async def test_ids_are_exact_strings(store: DocumentStore) -> None:
    await store.put("raw_jobs", "greenhouse:1", {"n": 1})
    await store.put("raw_jobs", "Greenhouse:1", {"n": 2})

    assert await store.get("raw_jobs", "greenhouse:1") == {"n": 1}
    assert await store.get("raw_jobs", "Greenhouse:1") == {"n": 2}


INVALID: dict[str, dict[Any, Any]] = {
    "nan": {"salary": math.nan},
    "infinity": {"salary": math.inf},
    "dollar key": {"$where": "1"},
    "nested dollar key": {"metadata": [{"$set": 1}]},
    "dotted key": {"a.b": 1},
    "nested dotted key": {"location": {"name.first": "x"}},
    "nested array": {"matrix": [[1, 2], [3]]},
    "too large": {"content": "x" * (MAX_DOCUMENT_BYTES + 1)},
    "not json": {"when": datetime(2026, 1, 1, tzinfo=UTC)},
    "non-string key": {1: "one"},
    "nul in string": {"title": "a\x00b"},
}


@pytest.mark.parametrize("name", INVALID)
async def test_an_invalid_document_is_refused_and_nothing_is_stored(
    store: DocumentStore, name: str
) -> None:
    with pytest.raises(InvalidDocument):
        await store.put("raw_jobs", "bad", INVALID[name])

    assert await store.get("raw_jobs", "bad") is None
    assert await store.count("raw_jobs") == 0


async def test_an_invalid_replacement_keeps_the_old_document(store: DocumentStore) -> None:
    await store.put("raw_jobs", "k", sample())

    with pytest.raises(InvalidDocument):
        await store.put("raw_jobs", "k", {"$bad": 1})

    assert await store.get("raw_jobs", "k") == sample()


# Documents one backend could hold and the other not: refused alike by both.
@pytest.mark.parametrize("document", [
    pytest.param({"n": 2**70}, id="int beyond 64 bits"),
    pytest.param({"_id": "other", "n": 1}, id="_id field"),
])
async def test_documents_only_one_backend_can_hold_are_refused(
    store: DocumentStore, document: dict[str, Any]
) -> None:
    with pytest.raises(InvalidDocument):
        await store.put("raw_jobs", "k", document)
