"""Documents in a MongoDB-wire server (MongoDB or FerretDB) through motor."""

from __future__ import annotations

from typing import Any

from motor.motor_asyncio import AsyncIOMotorClient

from infra.documents.port import validate_document


class MongoDocumentStore:
    def __init__(self, url: str, database: str = "jams") -> None:
        self._client: AsyncIOMotorClient[dict[str, Any]] = AsyncIOMotorClient(url, tz_aware=True)
        self._db = self._client[database]

    async def put(self, collection: str, doc_id: str, document: dict[str, Any]) -> None:
        validate_document(document)
        await self._db[collection].replace_one({"_id": doc_id}, document, upsert=True)

    async def get(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        found = await self._db[collection].find_one({"_id": doc_id})
        if found is None:
            return None
        found.pop("_id", None)
        return dict(found)

    async def count(self, collection: str) -> int:
        return int(await self._db[collection].count_documents({}))

    async def close(self) -> None:
        self._client.close()
