"""`jams notifications`: a person's channels and quiet-digest setting, from a shell."""

from __future__ import annotations

import asyncio
import re
import sys
import uuid

import typer
from rich.console import Console

from infra.clock import SystemClock
from infra.db import create_engine
from infra.settings import CommonSettings
from infra.uow import UnitOfWork
from services.notifications import repository
from services.notifications.domain import CHANNELS, E164_HELP, Channel, Preferences, is_e164

notifications_app = typer.Typer(help="Notification channels and quiet digests per person",
                                no_args_is_help=True)
console = Console(stderr=True)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class BadPreferences(ValueError):
    """Settings that cannot work; the message says which and why."""


def preferences_of(recipient_id: uuid.UUID, channels: list[str], email: str | None,
                   webhook_url: str | None, webhook_secret: str | None,
                   digest_interval_s: int | None, phone: str | None = None) -> Preferences:
    """Checked preferences, or BadPreferences before anything is stored."""
    unknown = sorted(set(channels) - set(CHANNELS))
    if unknown:
        raise BadPreferences(f"unknown channel {unknown[0]!r}; use {', '.join(CHANNELS)}")
    chosen: frozenset[Channel] = frozenset(c for c in CHANNELS if c in channels)
    if "email" in chosen and not (email and _EMAIL.match(email)):
        raise BadPreferences("the email channel needs a valid --email address")
    if "webhook" in chosen:
        if not (webhook_url and webhook_url.startswith(("https://", "http://"))):
            raise BadPreferences("the webhook channel needs an http(s) --webhook-url")
        if not webhook_secret or len(webhook_secret) < 16:
            raise BadPreferences("the webhook channel needs a secret of 16 characters or more")
    if phone is not None and not is_e164(phone):
        raise BadPreferences(f"--phone {phone!r} is not a phone number in {E164_HELP}")
    if "sms" in chosen and phone is None:
        raise BadPreferences(f"the sms channel needs a --phone number in {E164_HELP}")
    if digest_interval_s is not None and not 60 <= digest_interval_s <= 7 * 86400:
        raise BadPreferences("--digest-interval is between 60 seconds and 7 days")
    return Preferences(recipient_id, chosen or frozenset({"in_app"}), email, webhook_url,
                       webhook_secret, digest_interval_s, phone)


@notifications_app.command("set")
def set_preferences(
    recipient_id: uuid.UUID = typer.Argument(..., help="The person (user or candidate id)"),
    channel: list[str] = typer.Option(["in_app"], "--channel",
                                      help="in_app, email, webhook, sms"),
    email: str | None = typer.Option(None, help="Address for the email channel"),
    phone: str | None = typer.Option(None, help="E.164 number for the sms channel (+447700900123)"),
    webhook_url: str | None = typer.Option(None, help="URL for the webhook channel"),
    webhook_secret_stdin: bool = typer.Option(
        False, "--webhook-secret-stdin", help="Read the webhook signing secret from stdin"),
    digest_interval: int | None = typer.Option(
        None, help="Seconds between quiet digests of high-volume news (unset: at once)"),
) -> None:
    """Replace a person's channels and digest setting."""
    secret = sys.stdin.readline().rstrip("\r\n") if webhook_secret_stdin else None
    try:
        prefs = preferences_of(recipient_id, channel, email, webhook_url, secret,
                               digest_interval, phone)
    except BadPreferences as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    asyncio.run(_store(prefs))
    digest = f"a digest every {digest_interval} s" if digest_interval else "no digest"
    console.print(f"[green]saved[/] {', '.join(sorted(prefs.channels))}; {digest}")


async def _store(prefs: Preferences) -> None:
    engine = create_engine(CommonSettings().database_url, pool_size=1)
    try:
        uow = UnitOfWork(engine, SystemClock(), "jams/notifications")
        async with uow.transaction() as tx:
            await repository.set_preferences(tx.conn, prefs, tx.clock.now())
    finally:
        await engine.dispose()
