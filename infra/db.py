"""PostgreSQL access: one async SQLAlchemy engine per process, and the shared table metadata."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

# Every table (plumbing and services) is declared on this metadata so Alembic sees them all;
# the runtime's own are in these modules, each service lists its own (services/catalog.py).
INFRA_TABLE_MODULES = ("infra.outbox", "infra.inbox", "infra.documents.postgres",
                       "infra.bus.embedded")
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def create_engine(url: str, *, pool_size: int = 10,
                  connect_timeout_s: int | None = None) -> AsyncEngine:
    """An async engine on psycopg 3; `url` may carry a Unix socket dir as `?host=`.

    `connect_timeout_s` bounds each new connection (libpq waits for ever by default).
    """
    connect_args = {} if connect_timeout_s is None else {"connect_timeout": connect_timeout_s}
    return create_async_engine(
        make_url(url).set(drivername="postgresql+psycopg"),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args=connect_args,
    )


def libpq_conninfo(url: str) -> str:
    """The same URL for psycopg/libpq directly (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
