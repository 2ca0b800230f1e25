"""Composition root of the notifications service."""

from __future__ import annotations

from infra.runtime import Platform
from infra.service import ServiceSpec
from schemas.events.applications import ApplicationFailed, ApplicationSubmitted
from services.notifications.handlers import on_application_submitted
from services.notifications.settings import NotificationsSettings

NAME = "notifications"


def build(platform: Platform, settings: NotificationsSettings) -> ServiceSpec:
    """In-app messages need nothing from the platform beyond the unit of work it gives."""
    return registry()


def registry() -> ServiceSpec:
    """Which event becomes which message."""
    return ServiceSpec(
        name=NAME,
        handlers={ApplicationSubmitted: on_application_submitted},
        # Failures are for operators (the bot retries or dead-letters them); no candidate
        # message for them yet.
        ignores=frozenset({ApplicationFailed}),
    )
