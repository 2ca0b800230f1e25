"""`jams users add`: create accounts from a shell; the first admin comes from here."""

from __future__ import annotations

import asyncio
import sys
import uuid

import typer
from rich.console import Console

from infra.auth import Role
from infra.clock import SystemClock
from infra.db import create_engine
from infra.http_conventions import ApiError
from infra.settings import CommonSettings
from infra.uow import UnitOfWork
from services.gateway.accounts.passwords import Passwords
from services.gateway.accounts.service import Accounts
from services.gateway.accounts.store import User

users_app = typer.Typer(help="Accounts: admins, operators, supervisors, reviewers",
                        no_args_is_help=True)
console = Console(stderr=True)


@users_app.command("add")
def add(
    email: str = typer.Option(..., help="The login email"),
    role: Role = typer.Option(..., help="admin, operator, supervisor, reviewer, recruiter, "
                                           "hiring_manager or company_admin"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (scripts)"),
    user_id: uuid.UUID | None = typer.Option(
        None, help="Choose the id (a reviewer's id is their reviewer id)"),
) -> None:
    """Create a staff account in the configured database."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        created = asyncio.run(_add(email, role, password, user_id))
    except ApiError as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from exc
    console.print(f"[green]created[/] {created.email} ({created.role}) id {created.user_id}")


async def _add(email: str, role: Role, password: str, user_id: uuid.UUID | None) -> User:
    engine = create_engine(CommonSettings().database_url, pool_size=1)
    try:
        accounts = Accounts(UnitOfWork(engine, SystemClock(), "jams/gateway"), Passwords(),
                            None, None, refresh_ttl_s=0)
        return await accounts.create_staff("cli", email, password, role, user_id)
    finally:
        await engine.dispose()
