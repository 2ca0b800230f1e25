"""`/api/v1/companies`: companies and who belongs to them."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.dialects.postgresql import insert

from infra.uow import UnitOfWork
from services.recruiting.access import Authorizer, Caller
from services.recruiting.api import RESPONSES, Text
from services.recruiting.audit import record
from services.recruiting.tables import companies, members


class NewCompany(BaseModel):
    name: Text = Field(min_length=1, max_length=300)


class CompanyOut(BaseModel):
    company_id: uuid.UUID
    name: str
    created_at: datetime


class MemberIn(BaseModel):
    email: str | None = Field(
        default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="Their address, by which colleagues may mention them in notes")


class MemberOut(BaseModel):
    user_id: uuid.UUID
    company_id: uuid.UUID
    added_by: uuid.UUID
    created_at: datetime
    email: str | None = None


class MembersOut(BaseModel):
    items: list[MemberOut]


async def company_of(uow: UnitOfWork, caller: Caller, company_id: uuid.UUID) -> CompanyOut:
    """The company if the caller may see it; 404 otherwise, as for one that does not exist."""
    async with uow.engine.connect() as conn:
        row = (await conn.execute(sa.select(companies).where(
            companies.c.company_id == company_id))).mappings().first()
    caller.check(row["company_id"] if row else None)
    return CompanyOut.model_validate(dict(row or {}))


def company_routes(uow: UnitOfWork, authorize: Authorizer) -> APIRouter:
    router = APIRouter(prefix="/api/v1/companies", tags=["recruiting"], responses=RESPONSES)

    @router.post("", status_code=201, summary="Add a company (platform admins)")
    async def create(body: NewCompany,
                     caller: Caller = Depends(authorize("companies.create"))) -> CompanyOut:
        async with uow.transaction() as tx:
            company = CompanyOut(company_id=uuid.uuid4(), name=body.name,
                                 created_at=tx.clock.now())
            await tx.conn.execute(companies.insert().values(**company.model_dump()))
            await record(tx, caller, "company.created", "company", company.company_id,
                         company.company_id)
        return company

    @router.get("/{company_id}", summary="A company (its own people, or admins)")
    async def get(company_id: uuid.UUID,
                  caller: Caller = Depends(authorize("companies.get"))) -> CompanyOut:
        return await company_of(uow, caller, company_id)

    @router.get("/{company_id}/members", summary="Who belongs to a company")
    async def list_members(company_id: uuid.UUID,
                           caller: Caller = Depends(authorize("companies.members.list")),
                           ) -> MembersOut:
        await company_of(uow, caller, company_id)
        async with uow.engine.connect() as conn:
            rows = (await conn.execute(sa.select(members).where(
                members.c.company_id == company_id).order_by(members.c.created_at))).mappings()
            return MembersOut(items=[MemberOut.model_validate(dict(r)) for r in rows])

    @router.put("/{company_id}/members/{user_id}",
                summary="Make an employer's account a member of this company (platform admins; "
                        "a member of another company moves here)")
    async def put_member(company_id: uuid.UUID, user_id: uuid.UUID,
                         body: MemberIn | None = None,
                         caller: Caller = Depends(authorize("companies.members.put")),
                         ) -> MemberOut:
        await company_of(uow, caller, company_id)
        email = body.email.lower() if body and body.email else None
        async with uow.transaction() as tx:
            row = {"user_id": user_id, "company_id": company_id,
                   "added_by": caller.principal.user_id, "created_at": tx.clock.now(),
                   "email": email}
            statement = insert(members).values(**row)
            # A call without an address keeps the one given before.
            row["email"] = await tx.conn.scalar(statement.on_conflict_do_update(
                index_elements=[members.c.user_id],
                set_={"company_id": company_id, "added_by": row["added_by"],
                      "created_at": row["created_at"],
                      "email": sa.func.coalesce(statement.excluded.email, members.c.email)})
                .returning(members.c.email))
            await record(tx, caller, "company.member_added", "user", user_id, company_id)
        return MemberOut.model_validate(row)

    return router
