"""Alembic migrations: `upgrade` brings a database to the newest schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Apply migrations; safe to run from several processes (PostgreSQL DDL is transactional).

    "heads": each service adds its migrations on a branch of its own from the shared base,
    so services evolve their tables without ordering their revisions against each other.
    """
    command.upgrade(alembic_config(database_url), revision)
