"""Tables of the gateway service."""

from services.gateway.accounts.tables import refresh_tokens, users
from services.gateway.audit import audit_log

__all__ = ["audit_log", "refresh_tokens", "users"]
