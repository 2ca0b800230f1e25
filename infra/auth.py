"""Who is calling: roles, principals, signed access tokens and the FastAPI dependencies on them."""

from __future__ import annotations

import math
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr
from starlette.requests import HTTPConnection
from starlette.types import Scope

from infra.clock import Clock, SystemClock
from infra.http_conventions import ERR_AUTH_REQUIRED, ERR_FORBIDDEN, ApiError

ISSUER = "jams"
ALGORITHM = "HS256"
ACCESS_COOKIE = "jams_access"
REFRESH_COOKIE = "jams_refresh"
DEFAULT_ACCESS_TTL_S = 15 * 60
# Where a verified principal is kept for the rest of the request (scope["state"]).
_STATE_KEY = "principal"


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    REVIEWER = "reviewer"
    CANDIDATE = "candidate"
    # Employers' people, each a member of one company (the recruiting service keeps which).
    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring_manager"
    COMPANY_ADMIN = "company_admin"


RECRUITING_ROLES = frozenset({Role.RECRUITER, Role.HIRING_MANAGER, Role.COMPANY_ADMIN})
STAFF_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.SUPERVISOR, Role.REVIEWER})


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    # A reviewer's user_id IS their reviewer_id; a candidate's IS their candidate_id.
    user_id: uuid.UUID
    role: Role

    def owns(self, owner_id: uuid.UUID | None) -> bool:
        """True if the object with this owner id is the caller's own."""
        return owner_id is not None and owner_id == self.user_id


@dataclass(frozen=True)
class VerifiedToken:
    """What a verified access token says beyond its principal: its lifetime and its login."""

    principal: Principal
    issued_at: datetime
    expires_at: datetime
    # The login (refresh-token family) it belongs to, else its own id: what a logout revokes.
    session: str


class Revoked(Protocol):
    """Tokens refused before they expire (logout, disable, password change)."""

    def refuses(self, token: VerifiedToken) -> bool: ...


class _NothingRevoked:
    def refuses(self, token: VerifiedToken) -> bool:
        return False


def _unauthenticated(message: str) -> ApiError:
    return ApiError(401, ERR_AUTH_REQUIRED, message)


def _key(secret: SecretStr) -> str:
    key = secret.get_secret_value()
    if len(key) < 16:
        raise ValueError("the JWT secret is missing or shorter than 16 characters "
                         "(JAMS_JWT_SECRET)")
    return key


class TokenVerifier:
    """Checks HS256 access tokens: signature, issuer, expiry (with leeway), role, revocation.

    Tokens that verified are remembered (up to `cache_size`) with their expiry, so a client's
    next requests cost a dictionary lookup and a clock read instead of a signature check.
    Revocation is asked of `revoked` on every use, cached or not (an in-memory check).
    """

    def __init__(self, secret: SecretStr, *, leeway_s: float = 5,
                 clock: Clock | None = None, cache_size: int = 10_000,
                 revoked: Revoked | None = None) -> None:
        self._key = _key(secret)
        self._leeway = timedelta(seconds=leeway_s)
        self._clock = clock or SystemClock()
        self._cache_size = cache_size
        self._verified: OrderedDict[str, VerifiedToken] = OrderedDict()
        self.revoked: Revoked = revoked or _NothingRevoked()

    def verify(self, token: str) -> Principal:
        """The token's principal; ApiError(401, ERR_AUTH_REQUIRED) for any fault."""
        return self.verified(token).principal

    def verified(self, token: str) -> VerifiedToken:
        """The token with its expiry and session; ApiError(401, ERR_AUTH_REQUIRED) for any fault."""
        if not token:
            raise _unauthenticated("authentication required")
        known = self._verified.get(token)
        if known is None:
            known = self._check(token)
            if self._cache_size > 0:
                self._verified[token] = known
                if len(self._verified) > self._cache_size:
                    self._verified.popitem(last=False)
        elif not self.current(known):
            del self._verified[token]
            raise _unauthenticated("access token expired")
        if self.revoked.refuses(known):
            raise _unauthenticated("access token revoked")
        return known

    def current(self, token: VerifiedToken) -> bool:
        """True while `token` has not expired (the leeway included)."""
        return self._clock.now() <= token.expires_at + self._leeway

    def usable(self, token: VerifiedToken) -> bool:
        """True while `token` is neither expired nor revoked (an open socket asks this)."""
        return self.current(token) and not self.revoked.refuses(token)

    def _check(self, token: str) -> VerifiedToken:
        try:
            # Only HS256 is accepted: "none" and key-confusion tricks fail here.
            claims: dict[str, Any] = jwt.decode(
                token, self._key, algorithms=[ALGORITHM], issuer=ISSUER,
                options={"require": ["exp", "iat", "iss", "sub"], "verify_exp": False,
                         "verify_iat": False, "verify_nbf": False},
            )
        except jwt.PyJWTError as exc:
            raise _unauthenticated("invalid access token") from exc
        now = self._clock.now()
        # Expiry is checked against the injected clock so tests can move time.
        try:
            expires = datetime.fromtimestamp(float(claims["exp"]), tz=now.tzinfo)
            issued = datetime.fromtimestamp(float(claims["iat"]), tz=now.tzinfo)
        except (TypeError, ValueError, OverflowError) as exc:
            raise _unauthenticated("invalid access token") from exc
        if now > expires + self._leeway:
            raise _unauthenticated("access token expired")
        if issued > now + self._leeway:
            raise _unauthenticated("access token not valid yet")
        if claims.get("typ") != "access":
            raise _unauthenticated("not an access token")
        try:
            principal = Principal(uuid.UUID(str(claims["sub"])), Role(str(claims.get("role"))))
        except ValueError as exc:
            raise _unauthenticated("invalid access token") from exc
        session = claims.get("sid") or claims.get("jti")
        if not isinstance(session, str) or not session:
            raise _unauthenticated("invalid access token")
        return VerifiedToken(principal, issued, expires, session)


class TokenIssuer:
    """Signs access tokens for principals; pairs with a TokenVerifier on the same secret."""

    def __init__(self, secret: SecretStr, *, ttl_s: float = DEFAULT_ACCESS_TTL_S,
                 clock: Clock | None = None) -> None:
        self._key = _key(secret)
        self.ttl_s = ttl_s
        self._clock = clock or SystemClock()

    def issue(self, principal: Principal,
              session: uuid.UUID | None = None) -> tuple[str, datetime]:
        """A signed access token and when it expires; `session` names the login it belongs to."""
        now = self._clock.now()
        expires = now + timedelta(seconds=self.ttl_s)
        # iat to the millisecond (RFC 7519 dates may be fractional): a token issued just after
        # a revocation of every earlier token of its user is told apart from those before it.
        claims: dict[str, Any] = {
            "iss": ISSUER, "sub": str(principal.user_id), "role": str(principal.role),
            "typ": "access", "iat": milliseconds(now), "exp": int(expires.timestamp()),
            "jti": uuid.uuid4().hex}
        if session is not None:
            claims["sid"] = session.hex
        return jwt.encode(claims, self._key, algorithm=ALGORITHM), expires


def milliseconds(moment: datetime) -> float:
    """`moment` as a Unix time cut to whole milliseconds, as tokens and revocations keep it."""
    return math.floor(moment.timestamp() * 1000) / 1000


def mint_access_token(secret: SecretStr, user_id: uuid.UUID, role: Role, *,
                      ttl_s: float = DEFAULT_ACCESS_TTL_S, clock: Clock | None = None) -> str:
    """A signed access token (scripts, tests and benches that act as a known user)."""
    return TokenIssuer(secret, ttl_s=ttl_s, clock=clock).issue(Principal(user_id, role))[0]


def token_of(scope: Scope) -> str:
    """The access token a request carries: `Authorization: Bearer` first, else the cookie."""
    cookie = ""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, credentials = bytes(value).decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
        elif name == b"cookie":
            cookie = _cookie(bytes(value).decode("latin-1"), ACCESS_COOKIE) or cookie
    return cookie


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip().strip('"')
    return ""


def same_origin(connection: HTTPConnection) -> bool:
    """True unless a browser says the request (a socket) came from a page of another origin.

    Browsers send cookies with a socket any page opens; only our own pages may use them.
    """
    origin = connection.headers.get("origin")
    if origin is None:  # not a browser: API clients authenticate with a bearer token
        return True
    return urlsplit(origin).netloc.lower() == connection.headers.get("host", "").lower()


def authenticate(verifier: TokenVerifier, scope: Scope) -> Principal:
    """The request's principal, verified once per request and remembered on its scope."""
    state = scope.setdefault("state", {})
    known = state.get(_STATE_KEY)
    if isinstance(known, Principal):
        return known
    principal = verifier.verify(token_of(scope))
    state[_STATE_KEY] = principal
    return principal


def user_key(verifier: TokenVerifier) -> Callable[[Scope], Awaitable[str | None]]:
    """For per-user rate limits: the caller's user id if the request carries a valid token."""

    async def user_of(scope: Scope) -> str | None:
        try:
            return str(authenticate(verifier, scope).user_id)
        except ApiError:
            return None

    return user_of


PrincipalDependency = Callable[..., Awaitable[Principal]]

# Declared so /docs offers an "Authorize" button; the cookie works too.
_bearer = HTTPBearer(auto_error=False, description="Access token from /api/v1/auth/login")


def principal_dependency(verifier: TokenVerifier) -> PrincipalDependency:
    """FastAPI dependency: the caller from `Authorization: Bearer <jwt>` or cookie `jams_access`."""

    async def principal(
        request: Request,
        _: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> Principal:
        return authenticate(verifier, request.scope)

    return principal


async def current_principal(
    request: Request, _: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> Principal:
    """The principal an earlier step of this request verified (conventions middleware or a
    principal dependency); 401 if none did."""
    known = request.scope.get("state", {}).get(_STATE_KEY)
    if isinstance(known, Principal):
        return known
    raise _unauthenticated("authentication required")


def require_roles(*roles: Role,
                  principal: PrincipalDependency = current_principal) -> PrincipalDependency:
    """Dependency: the caller if their role is one of `roles`; 401 if anonymous, 403 if not."""
    allowed = frozenset(roles)

    async def with_role(caller: Principal = Depends(principal)) -> Principal:
        if caller.role not in allowed:
            raise ApiError(403, ERR_FORBIDDEN, "your role may not do this",
                           {"allowed_roles": sorted(allowed)})
        return caller

    return with_role
