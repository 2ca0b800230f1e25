"""Failures that mean a dependency is away (database, cache, broker, network), not a bad event
or a bad request: the bus holds the partition and retries until it is back, instead of using
up the event's attempts and sending a good event to the dead-letter topic; the HTTP API
answers 503 with Retry-After instead of 500."""

from __future__ import annotations

import psycopg
import redis.exceptions
import sqlalchemy.exc
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError


class DependencyAway(Exception):
    """A local dependency of our own (a browser that cannot start) is away: an outage like a
    database that is down, waited out and retried, never counted against the event."""


_OUTAGES: tuple[type[BaseException], ...] = (
    DependencyAway,
    ConnectionError,                      # refused, reset, broken pipe
    sqlalchemy.exc.OperationalError,      # server gone, restarting, out of connections
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,          # no pooled connection in time
    psycopg.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    KafkaConnectionError,                 # no broker answers
    KafkaTimeoutError,
)


def is_dependency_outage(exc: BaseException) -> bool:
    """True when retrying later, not fixing the event, is what helps."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, KafkaError) and exc.retriable:  # leader moving, node not ready
        return True
    return isinstance(exc, _OUTAGES)


def caused_by_outage(exc: BaseException) -> bool:
    """True when `exc`, what it was raised from, or one of a group's members is an outage
    (libraries re-raise a driver's error as their own, task groups gather them)."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if is_dependency_outage(current):
            return True
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return False
