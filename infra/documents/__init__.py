"""Raw document store: MongoDB (through motor) in production, PostgreSQL JSONB on one machine."""

from infra.documents.port import DocumentStore, InvalidDocument

__all__ = ["DocumentStore", "InvalidDocument"]
