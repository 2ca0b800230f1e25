"""Account rules with no I/O: what an email and a password must be, who may create whom."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from infra.auth import Role
from infra.http_conventions import ERR_FORBIDDEN, ERR_VALIDATION, ApiError

MIN_PASSWORD = 10
# argon2 hashes any length; the cap stops a megabyte "password" from costing CPU.
MAX_PASSWORD = 256
# No spaces or control characters (PostgreSQL text cannot even hold NUL).
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]{2,}$")
STAFF_ROLES = (Role.ADMIN, Role.OPERATOR, Role.SUPERVISOR, Role.REVIEWER, Role.RECRUITER,
               Role.HIRING_MANAGER, Role.COMPANY_ADMIN)


def normalise_email(email: str) -> str:
    """The email as stored and compared: trimmed, lower-cased; ApiError 422 if malformed."""
    email = email.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise ApiError(422, ERR_VALIDATION, "that is not an email address",
                       [{"loc": ["body", "email"], "msg": "not an email address"}])
    return email


def check_password(password: str) -> None:
    """ApiError 422 unless the password is long enough (and not absurdly long)."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ApiError(422, ERR_VALIDATION,
                       f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters",
                       [{"loc": ["body", "password"], "msg": "wrong length"}])


def staff_role(role: Role) -> Role:
    """Admins create staff accounts only; candidates register themselves."""
    if role not in STAFF_ROLES:
        raise ApiError(403, ERR_FORBIDDEN, "staff accounts are admin, operator, supervisor, "
                       "reviewer, recruiter, hiring_manager or company_admin; candidates "
                       "register themselves")
    return role


class AccountState(Protocol):
    @property
    def role(self) -> Role: ...

    @property
    def disabled(self) -> bool: ...


def account_changes(before: AccountState, after: AccountState) -> list[tuple[str, dict[str, str]]]:
    """The audit entries (action, details) of an admin's change to an account."""
    changes: list[tuple[str, dict[str, str]]] = []
    if after.disabled != before.disabled:
        changes.append(("user.disabled" if after.disabled else "user.enabled", {}))
    if after.role is not before.role:
        changes.append(("user.role_changed", {"from": str(before.role), "to": str(after.role)}))
    return changes


def review_access_change(before: AccountState, after: AccountState) -> bool | None:
    """Whether the account may now review, if that changed; None if it did not."""
    def may_review(state: AccountState) -> bool:
        return state.role is Role.REVIEWER and not state.disabled

    return may_review(after) if may_review(after) != may_review(before) else None


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a refresh token (random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def refresh_expiry(now: datetime, ttl: timedelta, family_ends_at: datetime) -> datetime:
    """A new refresh token's expiry: its own lifetime, never past its family's end."""
    return min(now + ttl, family_ends_at)


def new_password() -> str:
    """A random password for generated accounts (demo seeding)."""
    return secrets.token_urlsafe(15)
