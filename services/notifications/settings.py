"""Settings of the notifications service."""

from __future__ import annotations

from infra.settings import CommonSettings


class NotificationsSettings(CommonSettings):
    """Only the common settings so far: in-app messages need no channel configuration."""
