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


_INT64 = range(-(2**63), 2**63)


def _check_keys(value: Any, top_level: bool = True) -> None:
    if isinstance(value, dict):
        if top_level and "_id" in value:
            raise InvalidDocument("field name '_id' is reserved for the document id")
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("$") or "." in key or "\x00" in key:
                raise InvalidDocument(f"field name {key!r} is not allowed")
            _check_keys(item, top_level=False)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, list):
                raise InvalidDocument("nested arrays are not supported")
            _check_keys(item, top_level=False)
    elif isinstance(value, int) and not isinstance(value, bool) and value not in _INT64:
        raise InvalidDocument(f"integer {value} does not fit in 64 bits")
    elif isinstance(value, str) and "\x00" in value:
        raise InvalidDocument("NUL characters are not allowed in strings")
