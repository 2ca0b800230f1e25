"""What every router shares: its dependencies, paging parameters and response helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infra.blobs import BlobStore
from infra.clock import Clock
from infra.http_conventions import ERR_VALIDATION, ApiError
from infra.portal_sessions import Keyring
from infra.uow import UnitOfWork
from services.gateway.api.models import PageOut
from services.gateway.policy import Access, Authorizer, not_found
from services.gateway.readmodel.paging import MAX_LIMIT, InvalidCursor, Page

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ApiDeps:
    """Everything the API routers are given by the composition root."""

    engine: AsyncEngine
    uow: UnitOfWork
    blobs: BlobStore
    authorize: Authorizer
    clock: Clock
    # Seals candidates' portal sessions; None where no key is configured.
    keyring: Keyring | None = None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn


Cursor = Annotated[str | None, Query(max_length=500, description="From `next_cursor`")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")]


def page_of(model: type[M], page: Page,
            shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> PageOut[M]:
    items = [model.model_validate(shape(row) if shape else row) for row in page.items]
    return PageOut[model](items=items, next_cursor=page.next_cursor)  # type: ignore[valid-type]


async def paged(fetch: Awaitable[Page]) -> Page:
    """The page, or a 400 ERR_VALIDATION for a cursor this API did not hand out."""
    try:
        return await fetch
    except InvalidCursor as exc:
        raise ApiError(400, ERR_VALIDATION, "invalid cursor", {"field": "cursor"}) from exc


def found(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        raise not_found()
    return row


RowFetch = Callable[[AsyncConnection], Awaitable[dict[str, Any] | None]]


async def visible_row(deps: ApiDeps, access: Access, fetch: RowFetch,
                      owner: Literal["candidate_id", "reviewer_id"]) -> dict[str, Any]:
    """The row `fetch` reads; 404 where there is none or where the caller may not see it,
    judged by whose it is (the row's `owner` column)."""
    async with deps.read() as conn:
        row = found(await fetch(conn))
        await access.check(conn, **{owner: row[owner]})
    return row
