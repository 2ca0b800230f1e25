"""SQL for accounts and refresh tokens, on a connection the caller's transaction owns."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.auth import Role
from services.gateway.accounts.tables import refresh_tokens, users


@dataclass(frozen=True)
class User:
    user_id: uuid.UUID
    email: str
    role: Role
    disabled: bool
    created_at: datetime
    password_hash: str

    def public(self) -> dict[str, object]:
        """What the API shows of an account (never the hash)."""
        return {"user_id": str(self.user_id), "email": self.email, "role": str(self.role),
                "disabled": self.disabled, "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class StoredRefresh:
    user_id: uuid.UUID
    family_id: uuid.UUID
    expires_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None


def _user(row: sa.Row[tuple[object, ...]] | None) -> User | None:
    if row is None:
        return None
    m = row._mapping
    return User(m["user_id"], m["email"], Role(m["role"]), m["disabled"], m["created_at"],
                m["password_hash"])


async def insert_user(conn: AsyncConnection, *, user_id: uuid.UUID, email: str,
                      password_hash: str, role: Role, now: datetime) -> User | None:
    """The new user, or None if the email is taken."""
    row = (await conn.execute(
        insert(users).values(user_id=user_id, email=email, password_hash=password_hash,
                             role=str(role), disabled=False, created_at=now, updated_at=now)
        .on_conflict_do_nothing().returning(*users.c)
    )).first()
    return _user(row)


async def user_by_email(conn: AsyncConnection, email: str) -> User | None:
    return _user((await conn.execute(sa.select(users).where(users.c.email == email))).first())


async def user_by_id(conn: AsyncConnection, user_id: uuid.UUID) -> User | None:
    return _user((await conn.execute(
        sa.select(users).where(users.c.user_id == user_id))).first())


async def emails_of(conn: AsyncConnection, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The e-mail address of each of `user_ids` that has an account (how pages name people)."""
    wanted = list(set(user_ids))
    if not wanted:
        return {}
    rows = await conn.execute(sa.select(users.c.user_id, users.c.email)
                              .where(users.c.user_id.in_(wanted)))
    return {user_id: email for user_id, email in rows}


async def list_users(conn: AsyncConnection, *, after: str | None, limit: int) -> list[User]:
    query = sa.select(users).order_by(users.c.email).limit(limit)
    if after is not None:
        query = query.where(users.c.email > after)
    return [u for row in await conn.execute(query) if (u := _user(row)) is not None]


async def update_user(conn: AsyncConnection, user_id: uuid.UUID, now: datetime, *,
                      disabled: bool | None = None, role: Role | None = None,
                      password_hash: str | None = None) -> User | None:
    values: dict[str, object] = {"updated_at": now}
    if disabled is not None:
        values["disabled"] = disabled
    if role is not None:
        values["role"] = str(role)
    if password_hash is not None:
        values["password_hash"] = password_hash
    return _user((await conn.execute(
        users.update().where(users.c.user_id == user_id).values(**values).returning(*users.c)
    )).first())


async def add_refresh(conn: AsyncConnection, *, token_hash: str, user_id: uuid.UUID,
                      family_id: uuid.UUID, now: datetime, expires_at: datetime) -> None:
    await conn.execute(refresh_tokens.insert().values(
        token_hash=token_hash, user_id=user_id, family_id=family_id, issued_at=now,
        expires_at=expires_at))


async def refresh_for_update(conn: AsyncConnection, token_hash: str) -> StoredRefresh | None:
    """The token's row, locked, so two concurrent exchanges of it cannot both succeed."""
    row = (await conn.execute(
        sa.select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
        .with_for_update())).first()
    if row is None:
        return None
    m = row._mapping
    return StoredRefresh(m["user_id"], m["family_id"], m["expires_at"], m["rotated_at"],
                         m["revoked_at"])


async def family_started_at(conn: AsyncConnection, family_id: uuid.UUID) -> datetime | None:
    """When the login that began the family was made: its first token's issue time."""
    started: datetime | None = (await conn.execute(
        sa.select(sa.func.min(refresh_tokens.c.issued_at))
        .where(refresh_tokens.c.family_id == family_id))).scalar_one()
    return started


async def mark_rotated(conn: AsyncConnection, token_hash: str, now: datetime) -> None:
    await conn.execute(refresh_tokens.update().where(refresh_tokens.c.token_hash == token_hash)
                       .values(rotated_at=now))


async def revoke_family(conn: AsyncConnection, family_id: uuid.UUID, now: datetime) -> int:
    result = await conn.execute(
        refresh_tokens.update()
        .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now))
    return int(result.rowcount)


async def revoke_user(conn: AsyncConnection, user_id: uuid.UUID, now: datetime) -> int:
    result = await conn.execute(
        refresh_tokens.update()
        .where(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now))
    return int(result.rowcount)


async def erase_account(conn: AsyncConnection, user_id: uuid.UUID) -> bool:
    """Delete the account (its email and password hash) and, by cascade, its refresh tokens.

    For a candidate's erasure, inside the erasure's own transaction; False if there was none.
    """
    result = await conn.execute(users.delete().where(users.c.user_id == user_id))
    return bool(result.rowcount)
