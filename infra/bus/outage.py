"""Handler failures that mean a dependency is away (database, cache, network), not a bad event:
they hold the partition and are retried until it is back, instead of using up the event's
attempts and sending a good event to the dead-letter topic."""

from __future__ import annotations

import psycopg
import redis.exceptions
import sqlalchemy.exc

_OUTAGES: tuple[type[BaseException], ...] = (
    ConnectionError,                      # refused, reset, broken pipe
    sqlalchemy.exc.OperationalError,      # server gone, restarting, out of connections
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,          # no pooled connection in time
    psycopg.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


def is_dependency_outage(exc: BaseException) -> bool:
    """True when retrying later, not fixing the event, is what helps."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, _OUTAGES)
