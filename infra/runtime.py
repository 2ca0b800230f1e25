"""The composition root's building blocks: open the platform, run services, stop cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network

import sqlalchemy as sa
import structlog
import uvicorn
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.routing import BaseRoute

from infra import tracing
from infra.blobs import BlobStore, open_blob_store
from infra.bus.bus import EventBus, RetryPolicy
from infra.bus.namespace import NamespacedTransport
from infra.bus.port import Transport
from infra.clock import Clock, SystemClock
from infra.db import create_engine, libpq_conninfo
from infra.documents import DocumentStore
from infra.http_metrics import HttpMetricsMiddleware
from infra.ops import ReadinessCheck, operations_app, ops_router
from infra.outbox import OutboxRelay
from infra.service import ServiceSpec
from infra.settings import CommonSettings
from infra.uow import UnitOfWork
from schemas.events.registry import topics_in_use

log = structlog.get_logger(__name__)

# Longest wait for a connection to PostgreSQL or Redis, or for a Redis reply: a host that
# drops packets makes requests fail (503) instead of hanging.
DEPENDENCY_TIMEOUT_S = 10


@dataclass
class Platform:
    """Everything a service may be given: built once per process, passed in."""

    settings: CommonSettings
    clock: Clock
    engine: AsyncEngine
    bus: EventBus
    redis: Redis
    documents: DocumentStore
    blobs: BlobStore
    started: asyncio.Event = field(default_factory=asyncio.Event)

    def unit_of_work(self, service: str) -> UnitOfWork:
        return UnitOfWork(self.engine, self.clock, source=f"jams/{service}")


def make_transport(settings: CommonSettings) -> Transport:
    transport = _bare_transport(settings)
    if settings.bus_namespace:
        return NamespacedTransport(transport, settings.bus_namespace)
    return transport


def _bare_transport(settings: CommonSettings) -> Transport:
    if settings.bus == "kafka":
        from infra.bus.kafka import KafkaTransport

        return KafkaTransport(
            settings.kafka_bootstrap,
            partitions=settings.kafka_partitions,
            replication_factor=settings.kafka_replication_factor,
        )
    from infra.bus.embedded import PostgresLogTransport

    return PostgresLogTransport(
        libpq_conninfo(settings.database_url), partitions=settings.kafka_partitions
    )


@contextlib.asynccontextmanager
async def open_platform(
    settings: CommonSettings, clock: Clock | None = None
) -> AsyncIterator[Platform]:
    """Connect to every backing service named in `settings`; close them all on exit."""
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url, connect_timeout_s=DEPENDENCY_TIMEOUT_S)
    transport = make_transport(settings)
    await transport.start()
    retry = RetryPolicy(
        max_attempts=settings.retry_max_attempts,
        initial_backoff_s=settings.retry_initial_backoff_s,
        max_backoff_s=settings.retry_max_backoff_s,
    )
    bus = EventBus(transport, clock=clock, retry=retry)
    await transport.ensure_topics(topics_in_use())
    redis: Redis = Redis.from_url(settings.redis_url,
                                  socket_connect_timeout=DEPENDENCY_TIMEOUT_S,
                                  socket_timeout=DEPENDENCY_TIMEOUT_S)
    documents: DocumentStore
    if settings.mongo_url:
        from infra.documents.mongo import MongoDocumentStore

        documents = MongoDocumentStore(settings.mongo_url)
    else:
        from infra.documents.postgres import PostgresDocumentStore

        documents = PostgresDocumentStore(engine)
    blobs = open_blob_store(settings.blob_dir, settings.s3_url, settings.s3_bucket,
                            access_key=settings.s3_access_key,
                            secret_key=settings.s3_secret_key.get_secret_value())
    if settings.s3_url:
        from infra.blobs_s3 import S3BlobStore

        assert isinstance(blobs, S3BlobStore)
        await blobs.ensure_bucket()  # idempotent: a head request when the bucket exists
    platform = Platform(
        settings, clock, engine, bus, redis, documents, blobs,
    )
    try:
        yield platform
    finally:
        await documents.close()
        await redis.aclose()
        await transport.close()
        await engine.dispose()


async def run_services(
    platform: Platform,
    specs: Sequence[ServiceSpec],
    stop: asyncio.Event,
    *,
    http_app: FastAPI | None = None,
    port: int | None = None,
    on_listening: Callable[[int], None] | None = None,
) -> None:
    """Run consumers, background loops, the outbox relay and the HTTP server until `stop`."""
    settings = platform.settings
    ready_events: list[asyncio.Event] = []
    tasks: list[asyncio.Task[None]] = []
    for spec in specs:
        for member in range(spec.consumer_members if spec.topics else 0):
            ready = asyncio.Event()
            ready_events.append(ready)
            tasks.append(asyncio.create_task(
                platform.bus.consume(
                    spec.group, spec.topics, spec.dispatcher(platform.unit_of_work(spec.name)),
                    stop=stop, ready=ready, batch_size=spec.consumer_batch_size,
                    max_poll_interval_s=spec.consumer_max_poll_interval_s,
                ),
                name=f"{spec.name}:consumer" + (f"{member + 1}" if member else ""),
            ))
        for index, background in enumerate(spec.background):
            tasks.append(asyncio.create_task(background(stop), name=f"{spec.name}:bg{index}"))
    relay = OutboxRelay(platform.engine, platform.bus, platform.clock)
    tasks.append(asyncio.create_task(relay.run(stop), name="outbox-relay"))

    app = http_app or merged_http_app(specs)
    service = specs[0].name if len(specs) == 1 else "gateway"
    app.add_middleware(HttpMetricsMiddleware, service=service)
    if tracing.enabled():
        app.add_middleware(tracing.TracingMiddleware, service=service)
    checks = _readiness_checks(platform)
    for spec in specs:
        checks.update(spec.readiness)
    ops = ops_router(checks, lambda: all(e.is_set() for e in ready_events))
    if settings.ops_port is None:
        app.include_router(ops)
    else:  # probes, metrics and the API docs on a port that no Ingress routes to
        ops_server = _server(operations_app(app, ops), settings.http_host, settings.ops_port,
                             settings.trusted_proxies)
        tasks.append(asyncio.create_task(_serve(
            ops_server, stop, lambda bound: log.info("operations listening", port=bound)),
            name="ops-http"))
    server = _server(app, settings.http_host, settings.http_port if port is None else port,
                     settings.trusted_proxies)
    tasks.append(asyncio.create_task(_serve(server, stop, on_listening), name="http"))

    stopper = asyncio.create_task(stop.wait())
    running: set[asyncio.Task[None]] = set(tasks)
    try:
        # One-shot background tasks (seeding) may end; a task that raises stops the process.
        while not stop.is_set() and running:
            done, _ = await asyncio.wait([*running, stopper],
                                         return_when=asyncio.FIRST_COMPLETED)
            for task in done - {stopper}:
                running.discard(task)
                if task.exception() is not None:
                    log.error("service task crashed; stopping", task=task.get_name(),
                              error=repr(task.exception()))
                    stop.set()
        stop.set()
        # Graceful: consumers finish their batch and commit, the relay its batch.
        finished, pending = await asyncio.wait(tasks, timeout=settings.shutdown_grace_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in finished:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        stopper.cancel()


def _server(app: FastAPI, host: str, port: int,
            trusted_proxies: Sequence[IPv4Network | IPv6Network] = ()) -> uvicorn.Server:
    # X-Forwarded-For is believed only from the proxies named: uvicorn's own default trusts
    # 127.0.0.1, so any local process (or a sidecar) could pick the address it is counted as.
    return uvicorn.Server(uvicorn.Config(
        app, host=host, port=port, log_config=None, lifespan="off", ws_ping_interval=20,
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=[str(network) for network in trusted_proxies]))


async def _serve(server: uvicorn.Server, stop: asyncio.Event,
                 on_listening: Callable[[int], None] | None) -> None:
    serving = asyncio.create_task(server.serve())
    while not server.started and not serving.done():  # noqa: ASYNC110 - uvicorn has no event
        await asyncio.sleep(0.05)
    if server.started and on_listening is not None:
        on_listening(server.servers[0].sockets[0].getsockname()[1])
    await stop.wait()
    server.should_exit = True
    await serving


def merged_http_app(specs: Sequence[ServiceSpec]) -> FastAPI:
    """The app a process serves: a service alone serves its own; several share one port.

    Routes of every spec's app join the first one's, the gateway's first (on a clash of path
    and method its route wins), with the exception handlers and middleware it lacks.
    """
    ordered = sorted(specs, key=lambda spec: spec.name != "gateway")  # stable otherwise
    apps = [spec.http_app for spec in ordered if spec.http_app is not None]
    if not apps:  # probes and metrics only: no API to document
        return FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    base, *others = apps
    for other in others:
        taken = {_route_key(route) for route in base.router.routes}
        # Included routers have no path of their own: they always join, after the base's.
        base.router.routes.extend(r for r in other.router.routes
                                  if not getattr(r, "path", "") or _route_key(r) not in taken)
        for exc_type, handler in other.exception_handlers.items():
            base.exception_handlers.setdefault(exc_type, handler)
        present = {middleware.cls for middleware in base.user_middleware}
        base.user_middleware.extend(m for m in other.user_middleware if m.cls not in present)
    return base


def _route_key(route: BaseRoute) -> tuple[str, frozenset[str]]:
    return getattr(route, "path", ""), frozenset(getattr(route, "methods", None) or ())


def _readiness_checks(platform: Platform) -> dict[str, ReadinessCheck]:
    async def database() -> None:
        async with platform.engine.connect() as conn:
            await conn.execute(sa.text("select 1"))

    async def redis() -> None:
        await platform.redis.ping()

    return {"database": database, "redis": redis, "bus": platform.bus.transport.ping}


def install_signal_handlers(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT ask for a graceful stop."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
