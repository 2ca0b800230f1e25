"""The document store port."""

from __future__ import annotations

from typing import Any, Protocol


class InvalidDocument(ValueError):
    """The document cannot be stored as is (not a JSON object, too large, bad keys)."""


MAX_DOCUMENT_BYTES = 4 * 1024 * 1024


class DocumentStore(Protocol):
    async def put(self, collection: str, doc_id: str, document: dict[str, Any]) -> None:
        """Insert or replace the document with id `doc_id`."""
        ...

    async def get(self, collection: str, doc_id: str) -> dict[str, Any] | None: ...

    async def count(self, collection: str) -> int: ...

    async def close(self) -> None: ...


def validate_document(document: dict[str, Any]) -> None:
    """Reject what one of the backends could not store, so both behave alike."""
    import json

    try:
        size = len(json.dumps(document, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InvalidDocument(f"not JSON-serialisable: {exc}") from exc
    if size > MAX_DOCUMENT_BYTES:
        raise InvalidDocument(f"document is {size} bytes, over {MAX_DOCUMENT_BYTES}")
    _check_keys(document)


def _check_keys(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("$") or "." in key or "\x00" in key:
                raise InvalidDocument(f"field name {key!r} is not allowed")
            _check_keys(item)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, list):
                raise InvalidDocument("nested arrays are not supported")
            _check_keys(item)
    elif isinstance(value, str) and "\x00" in value:
        raise InvalidDocument("NUL characters are not allowed in strings")
