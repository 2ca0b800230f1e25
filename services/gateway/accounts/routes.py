"""HTTP routes of accounts: /api/v1/auth/* for everyone, /api/v1/users for admins."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from infra.auth import (
    ACCESS_COOKIE,
    REFRESH_COOKIE,
    Principal,
    PrincipalDependency,
    Role,
    TokenVerifier,
    VerifiedToken,
    require_roles,
    token_of,
)
from infra.http_conventions import ERROR_RESPONSES, ApiError
from services.gateway.accounts.service import Accounts, Session

AUTH_PREFIX = "/api/v1/auth"


class Registration(BaseModel):
    """An e-mail address and a password: what registering takes, and what a login and a new
    staff account add to."""

    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class Credentials(Registration):
    # Pages ask for cookies (HTTP-only, the body then carries no token); API clients do not.
    use_cookies: bool = False


class RefreshRequest(BaseModel):
    refresh_token: str | None = Field(default=None, max_length=200,
                                      description="omit to use the jams_refresh cookie")


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)
    use_cookies: bool = False


class NewStaff(Registration):
    role: Role
    user_id: uuid.UUID | None = Field(
        default=None, description="choose the id (a reviewer's id is their reviewer_id)")


class UserChange(BaseModel):
    disabled: bool | None = Field(default=None, description="disable or re-enable")
    role: Role | None = Field(default=None, description="another staff role")


class UserOut(BaseModel):
    user_id: uuid.UUID
    email: str
    role: Role
    disabled: bool
    created_at: datetime


class TokensOut(BaseModel):
    token_type: str = "bearer"
    access_token: str | None = None
    expires_in: int
    refresh_token: str | None = None
    user: UserOut


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


def _user_out(user: Any) -> UserOut:
    return UserOut(user_id=user.user_id, email=user.email, role=user.role,
                   disabled=user.disabled, created_at=user.created_at)


def _access_of(verifier: TokenVerifier, request: Request) -> VerifiedToken | None:
    """The request's access token if it is valid: a logout revokes its login as well."""
    try:
        return verifier.verified(token_of(request.scope))
    except ApiError:
        return None


def account_routes(accounts: Accounts, principal: PrincipalDependency,
                   verifier: TokenVerifier, *, cookie_secure: bool) -> APIRouter:
    """The account routes; `principal` authenticates callers."""
    router = APIRouter(responses=ERROR_RESPONSES)
    admin = require_roles(Role.ADMIN, principal=principal)

    def set_cookies(response: Response, session: Session) -> None:
        response.set_cookie(ACCESS_COOKIE, session.access_token, httponly=True,
                            samesite="strict", secure=cookie_secure, path="/",
                            max_age=int(accounts.issuer_ttl().total_seconds()))
        # The refresh cookie goes only to the auth routes, not with every page and socket.
        response.set_cookie(REFRESH_COOKIE, session.refresh_token, httponly=True,
                            samesite="strict", secure=cookie_secure, path=AUTH_PREFIX,
                            max_age=int(accounts.refresh_ttl.total_seconds()))

    def tokens(response: Response, session: Session, cookies: bool) -> TokensOut:
        ttl = int(accounts.issuer_ttl().total_seconds())
        if cookies:
            set_cookies(response, session)
            return TokensOut(expires_in=ttl, user=_user_out(session.user))
        return TokensOut(access_token=session.access_token, expires_in=ttl,
                         refresh_token=session.refresh_token, user=_user_out(session.user))

    @router.post(f"{AUTH_PREFIX}/register", status_code=201, response_model=UserOut,
                 tags=["auth"], summary="Register as a candidate")
    async def register(body: Registration) -> UserOut:
        return _user_out(await accounts.register(body.email, body.password))

    @router.post(f"{AUTH_PREFIX}/login", response_model=TokensOut, tags=["auth"],
                 summary="Log in: an access token and a refresh token")
    async def login(body: Credentials, request: Request, response: Response) -> TokensOut:
        address = request.client.host if request.client else ""
        return tokens(response, await accounts.login(body.email, body.password, address),
                      body.use_cookies)

    @router.post(f"{AUTH_PREFIX}/refresh", response_model=TokensOut, tags=["auth"],
                 summary="Exchange a refresh token for new tokens (the old one is spent)")
    async def refresh(request: Request, response: Response,
                      body: RefreshRequest | None = None) -> TokensOut:
        # Tokens travel back the way they came: body for API clients, cookies for pages.
        from_body = body is not None and body.refresh_token is not None
        presented = (body.refresh_token if body is not None and from_body
                     else request.cookies.get(REFRESH_COOKIE, ""))
        return tokens(response, await accounts.refresh(presented or ""), not from_body)

    @router.post(f"{AUTH_PREFIX}/logout", status_code=204, tags=["auth"],
                 summary="Revoke this login's refresh tokens and clear the cookies")
    async def logout(request: Request, body: RefreshRequest | None = None) -> Response:
        presented = (body.refresh_token if body is not None and body.refresh_token
                     else request.cookies.get(REFRESH_COOKIE, ""))
        await accounts.logout(presented or "", _access_of(verifier, request))
        response = Response(status_code=204)
        response.delete_cookie(ACCESS_COOKIE, path="/", httponly=True, samesite="strict",
                               secure=cookie_secure)
        response.delete_cookie(REFRESH_COOKIE, path=AUTH_PREFIX, httponly=True,
                               samesite="strict", secure=cookie_secure)
        return response

    @router.post(f"{AUTH_PREFIX}/password", response_model=TokensOut, tags=["auth"],
                 summary="Change your password (the current one required); every other "
                 "login of the account ends")
    async def change_password(body: PasswordChange, response: Response,
                              caller: Principal = Depends(principal)) -> TokensOut:
        session = await accounts.change_password(caller, body.current_password,
                                                  body.new_password)
        return tokens(response, session, body.use_cookies)

    @router.get(f"{AUTH_PREFIX}/me", response_model=UserOut, tags=["auth"],
                summary="The logged-in account")
    async def me(caller: Principal = Depends(principal)) -> UserOut:
        return _user_out(await accounts.user(caller.user_id))

    @router.post("/api/v1/users", status_code=201, response_model=UserOut, tags=["users"],
                 summary="Create a staff account (admins only)")
    async def create_user(body: NewStaff, caller: Principal = Depends(admin)) -> UserOut:
        return _user_out(await accounts.create_staff(caller, body.email, body.password,
                                                     body.role, body.user_id))

    @router.get("/api/v1/users", response_model=UserPage, tags=["users"],
                summary="List accounts by email (admins only)")
    async def list_users(cursor: str | None = Query(default=None, max_length=254,
                                                     pattern=r"^[^\x00]*$"),
                         limit: int = Query(default=50, ge=1, le=200),
                         _: Principal = Depends(admin)) -> UserPage:
        found = await accounts.users(after=cursor, limit=limit)
        return UserPage(items=[_user_out(u) for u in found],
                        next_cursor=found[-1].email if len(found) == limit else None)

    @router.patch("/api/v1/users/{user_id}", response_model=UserOut, tags=["users"],
                  summary="Disable or re-enable an account, or change its staff role (admins "
                  "only); either ends its tokens and sockets")
    async def change_user(user_id: uuid.UUID, body: UserChange,
                          caller: Principal = Depends(admin)) -> UserOut:
        return _user_out(await accounts.change_user(caller, user_id, disabled=body.disabled,
                                                    role=body.role))

    return router
