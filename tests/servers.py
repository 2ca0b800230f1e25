"""Where the real servers of `make services-up` are: environment first, then `.dev/services.env`."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ENV_FILE = Path(__file__).resolve().parents[1] / ".dev" / "services.env"


# Servers the tests ask for by name, but that must not switch on for every process the tests
# start: with JAMS_S3_URL in the environment every service would keep its blobs in S3, and
# with JAMS_CONFIRMATION_IMAP_URL every bot would read the shared dev mailbox.
_OPT_IN = {"JAMS_S3_URL", "JAMS_CONFIRMATION_IMAP_URL"}
_opt_in_urls: dict[str, str] = {}


def load_dev_env() -> None:
    """Copy `.dev/services.env` into the environment, without overriding what is set."""
    if not ENV_FILE.is_file():
        return
    for line in ENV_FILE.read_text().splitlines():
        name, sep, value = line.strip().partition("=")
        if not sep or name.startswith("#"):
            continue
        if name in _OPT_IN:
            _opt_in_urls[name] = value
        else:
            os.environ.setdefault(name, value)


def server_url(name: str) -> str:
    """A server URL, or a failure that says how to start the servers (never a skip)."""
    value = os.environ.get(name) or _opt_in_urls.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run `make services-up` (writes {ENV_FILE})")
    return value


@contextmanager
def scratch_database(admin_url: str, template: str | None = None) -> Iterator[str]:
    """A new uniquely named database on the server of `admin_url`, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    url = make_url(admin_url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        clause = f' TEMPLATE "{template}"' if template else ""
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{clause}'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
