"""Account use cases: register, create staff, log in, refresh with rotation, log out, disable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from infra.auth import Principal, Role, TokenIssuer, VerifiedToken
from infra.http_conventions import (
    ERR_AUTH_REQUIRED,
    ERR_CONFLICT,
    ERR_FORBIDDEN,
    ERR_NOT_FOUND,
    ApiError,
)
from infra.revocation import Revocation
from infra.revocation_store import RedisRevocations
from infra.uow import Transaction, UnitOfWork
from schemas.events.review import ReviewerAccessChanged
from services.gateway import audit
from services.gateway.accounts import domain, store
from services.gateway.accounts.passwords import Passwords
from services.gateway.accounts.store import StoredRefresh, User
from services.gateway.accounts.throttle import LoginThrottle


@dataclass(frozen=True)
class Session:
    """What a login or a refresh hands out."""

    user: User
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


class _Exchange(Enum):
    OK = "ok"
    UNKNOWN = "unknown"
    REUSED = "reused"
    ENDED = "ended"


def _refused(message: str = "the refresh token is not valid; log in again") -> ApiError:
    return ApiError(401, ERR_AUTH_REQUIRED, message)


async def _end_family(tx: Transaction, stored: StoredRefresh, action: str) -> None:
    """Revoke every refresh token of the family, with an audit entry saying why."""
    now = tx.clock.now()
    revoked = await store.revoke_family(tx.conn, stored.family_id, now)
    await audit.record(tx.conn, at=now, actor="system", action=action, object_type="user",
                       object_id=stored.user_id, details={"family_id": str(stored.family_id),
                                                          "tokens_revoked": revoked})


class Accounts:
    """The account use cases, on the gateway's database."""

    def __init__(self, uow: UnitOfWork, passwords: Passwords, issuer: TokenIssuer | None,
                 throttle: LoginThrottle | None, *, refresh_ttl_s: float,
                 revocations: RedisRevocations | None = None,
                 family_max_age_s: float = 30 * 24 * 3600) -> None:
        self.uow = uow
        self.passwords = passwords
        self.issuer = issuer
        self.throttle = throttle
        self.refresh_ttl = timedelta(seconds=refresh_ttl_s)
        # However often it is refreshed, a login ends this long after it was made.
        self.family_max_age = timedelta(seconds=family_max_age_s)
        self.revocations = revocations

    def issuer_ttl(self) -> timedelta:
        """How long access tokens live."""
        return timedelta(seconds=self.issuer.ttl_s if self.issuer else 0)

    async def register(self, email: str, password: str) -> User:
        """Self-registration: always a candidate, whose user id is their candidate id."""
        return await self._create("self", email, password, Role.CANDIDATE)

    async def create_staff(self, actor: Principal | str, email: str, password: str,
                           role: Role, user_id: uuid.UUID | None = None) -> User:
        """An admin (or the CLI) adds a staff account; a reviewer's user id is their reviewer id."""
        return await self._create(actor, email, password, domain.staff_role(role), user_id)

    async def _create(self, actor: Principal | str, email: str, password: str, role: Role,
                      user_id: uuid.UUID | None = None) -> User:
        email = domain.normalise_email(email)
        domain.check_password(password)
        password_hash = await self.passwords.hash(password)
        async with self.uow.transaction() as tx:
            now = tx.clock.now()
            user = await store.insert_user(tx.conn, user_id=user_id or uuid.uuid4(),
                                           email=email, password_hash=password_hash,
                                           role=role, now=now)
            if user is None:
                raise ApiError(409, ERR_CONFLICT, "an account with that email (or id) exists")
            await audit.record(tx.conn, at=now, actor=actor if actor != "self" else
                               str(user.user_id), action="user.created", object_type="user",
                               object_id=user.user_id, details={"role": str(role)})
        return user

    async def login(self, email: str, password: str, address: str = "") -> Session:
        """A new session for the right password; `address` is the client's, for throttling."""
        try:
            email = domain.normalise_email(email)
        except ApiError:
            raise ApiError(401, ERR_AUTH_REQUIRED, "wrong email or password") from None
        if self.throttle is not None:
            await self.throttle.admit(email, address)
        async with self.uow.engine.connect() as conn:
            user = await store.user_by_email(conn, email)
        if not await self.passwords.check(user.password_hash if user else None, password):
            if self.throttle is not None:
                await self.throttle.failed(email, address)
            raise ApiError(401, ERR_AUTH_REQUIRED, "wrong email or password")
        assert user is not None
        if self.throttle is not None:
            await self.throttle.succeeded(email, address)
        if user.disabled:
            raise ApiError(403, ERR_FORBIDDEN, "this account is disabled")
        if self.passwords.needs_rehash(user.password_hash):
            new_hash = await self.passwords.hash(password)
            async with self.uow.transaction() as tx:
                await store.update_user(tx.conn, user.user_id, tx.clock.now(),
                                        password_hash=new_hash)
        return await self._start_family(user)

    async def _start_family(self, user: User) -> Session:
        refresh = domain.new_refresh_token()
        family_id = uuid.uuid4()
        async with self.uow.transaction() as tx:
            now = tx.clock.now()
            expires_at = domain.refresh_expiry(now, self.refresh_ttl, now + self.family_max_age)
            await store.add_refresh(tx.conn, token_hash=domain.token_hash(refresh),
                                    user_id=user.user_id, family_id=family_id, now=now,
                                    expires_at=expires_at)
        return self._session(user, refresh, expires_at, family_id)

    def _session(self, user: User, refresh: str, refresh_expires_at: datetime,
                 family_id: uuid.UUID) -> Session:
        if self.issuer is None:
            raise RuntimeError("these accounts were built without a token issuer")
        # The access token names its login, so a logout refuses every token of that login.
        access, expires = self.issuer.issue(Principal(user.user_id, user.role), family_id)
        return Session(user, access, expires, refresh, refresh_expires_at)

    async def refresh(self, refresh_token: str) -> Session:
        """A new access token and the next refresh token of the family; the old one is spent.

        Presenting a spent token again means it was copied: the whole family is revoked, so
        neither the thief nor the user can go on without logging in again. A family older than
        `family_max_age` is ended the same way: use does not keep a login alive forever.
        """
        if not refresh_token:
            raise _refused()
        hashed = domain.token_hash(refresh_token)
        new_refresh = domain.new_refresh_token()
        async with self.uow.transaction() as tx:
            now = tx.clock.now()
            stored = await store.refresh_for_update(tx.conn, hashed)
            outcome, user = _Exchange.UNKNOWN, None
            if stored is not None and stored.rotated_at is not None:
                await _end_family(tx, stored, "refresh_token.reused")
                outcome = _Exchange.REUSED
            elif stored is not None and stored.revoked_at is None:
                started = await store.family_started_at(tx.conn, stored.family_id) or now
                family_ends_at = started + self.family_max_age
                if now >= family_ends_at:
                    await _end_family(tx, stored, "refresh_token.family_ended")
                    outcome = _Exchange.ENDED
                elif stored.expires_at > now:
                    user = await store.user_by_id(tx.conn, stored.user_id)
                    expires_at = domain.refresh_expiry(now, self.refresh_ttl, family_ends_at)
                    if user is not None and not user.disabled:
                        await store.mark_rotated(tx.conn, hashed, now)
                        await store.add_refresh(tx.conn,
                                                token_hash=domain.token_hash(new_refresh),
                                                user_id=user.user_id,
                                                family_id=stored.family_id, now=now,
                                                expires_at=expires_at)
                        outcome = _Exchange.OK
        # Raised after the commit, so a reuse's revocation is kept.
        if outcome is _Exchange.REUSED:
            raise _refused("this refresh token was already used; every session of this login "
                           "is now revoked; log in again")
        if outcome is _Exchange.ENDED:
            assert stored is not None
            # Its access tokens and sockets end with it.
            await self._revoke(Revocation.of_session(stored.user_id, stored.family_id.hex, now,
                                                     self.issuer_ttl()))
            raise _refused("this login is older than its longest allowed life; log in again")
        if outcome is not _Exchange.OK or user is None:
            raise _refused()
        assert stored is not None
        return self._session(user, new_refresh, expires_at, stored.family_id)

    async def logout(self, refresh_token: str, access: VerifiedToken | None = None) -> bool:
        """Revoke the login of `refresh_token` (its refresh tokens, its access tokens and its
        sockets) and the login of the access token presented; False if they named none."""
        logins: set[tuple[uuid.UUID, str]] = set()
        if access is not None:
            logins.add((access.principal.user_id, access.session))
        if refresh_token:
            async with self.uow.transaction() as tx:
                stored = await store.refresh_for_update(tx.conn,
                                                        domain.token_hash(refresh_token))
                if stored is not None:
                    await store.revoke_family(tx.conn, stored.family_id, tx.clock.now())
                    logins.add((stored.user_id, stored.family_id.hex))
        now = self.uow.clock.now()
        for user_id, session in logins:
            await self._revoke(Revocation.of_session(user_id, session, now, self.issuer_ttl()))
        return bool(logins)

    async def _revoke(self, revocation: Revocation) -> None:
        if self.revocations is not None:
            await self.revocations.revoke(revocation)

    async def user(self, user_id: uuid.UUID) -> User:
        async with self.uow.engine.connect() as conn:
            user = await store.user_by_id(conn, user_id)
        if user is None:
            raise ApiError(404, ERR_NOT_FOUND, "no such user")
        return user

    async def users(self, *, after: str | None, limit: int) -> list[User]:
        async with self.uow.engine.connect() as conn:
            return await store.list_users(conn, after=after, limit=limit)

    async def change_user(self, actor: Principal, user_id: uuid.UUID, *,
                          disabled: bool | None = None, role: Role | None = None) -> User:
        """Disable (or re-enable) an account, or give it another staff role. Either ends every
        token and socket the account holds (a disable its refresh tokens as well: a role
        change lets the next refresh carry the new role); a reviewer's access is announced,
        so the workflow offers them nothing more and takes back what they hold."""
        if actor.user_id == user_id and (disabled or role is not None):
            raise ApiError(409, ERR_CONFLICT, "you cannot disable your own account or change "
                           "your own role")
        if role is not None:
            domain.staff_role(role)
        async with self.uow.transaction() as tx:
            now = tx.clock.now()
            before = await store.user_by_id(tx.conn, user_id)
            if before is None:
                raise ApiError(404, ERR_NOT_FOUND, "no such user")
            if role is not None and before.role is Role.CANDIDATE:
                raise ApiError(409, ERR_CONFLICT, "a candidate's account keeps its role")
            user = await store.update_user(tx.conn, user_id, now, disabled=disabled, role=role)
            assert user is not None  # the row is there: it was just read in this transaction
            revoked = await store.revoke_user(tx.conn, user_id, now) if disabled else 0
            for action, details in domain.account_changes(before, user):
                await audit.record(tx.conn, at=now, actor=actor, action=action,
                                   object_type="user", object_id=user_id,
                                   details={**details, "tokens_revoked": revoked})
            if (access := domain.review_access_change(before, user)) is not None:
                tx.emit(ReviewerAccessChanged(reviewer_id=user_id, may_review=access))
        if user.disabled or user.role is not before.role:
            # Its access tokens and open sockets end now, not when the tokens expire.
            await self.end_sessions(user_id, now)
        return user

    async def end_sessions(self, user_id: uuid.UUID, at: datetime) -> None:
        """Refuse every access token of the user issued before `at`, and close its sockets."""
        await self._revoke(Revocation.of_user(user_id, at, self.issuer_ttl()))

    async def change_password(self, caller: Principal, current: str, new: str) -> Session:
        """Set a new password (the current one required); every earlier login of the account
        ends, its sockets included, and the caller gets a fresh one."""
        domain.check_password(new)
        user = await self.user(caller.user_id)
        if not await self.passwords.check(user.password_hash, current):
            raise ApiError(403, ERR_FORBIDDEN, "the current password is wrong")
        new_hash = await self.passwords.hash(new)
        async with self.uow.transaction() as tx:
            now = tx.clock.now()
            changed = await store.update_user(tx.conn, user.user_id, now, password_hash=new_hash)
            if changed is None:
                raise ApiError(404, ERR_NOT_FOUND, "no such user")
            revoked = await store.revoke_user(tx.conn, user.user_id, now)
            await audit.record(tx.conn, at=now, actor=caller, action="user.password_changed",
                               object_type="user", object_id=user.user_id,
                               details={"tokens_revoked": revoked})
        await self.end_sessions(user.user_id, now)
        return await self._start_family(changed)

    async def ensure(self, email: str, password: str, role: Role,
                     user_id: uuid.UUID | None = None) -> User:
        """The account with this email, created if missing (seeding the embedded default)."""
        async with self.uow.engine.connect() as conn:
            existing = await store.user_by_email(conn, domain.normalise_email(email))
        if existing is not None:
            return existing
        try:
            return await self.create_staff("seed", email, password, role, user_id)
        except ApiError as exc:
            if exc.code != ERR_CONFLICT:
                raise
            return await self.user(user_id) if user_id else await self.ensure(email, password,
                                                                                role)
