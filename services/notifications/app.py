"""Composition root of the notifications service."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

from infra.clock import Clock
from infra.runtime import Platform
from infra.service import BackgroundTask, ServiceSpec
from infra.uow import UnitOfWork
from schemas.events.registry import EVENT_TYPES
from services.notifications.adapters.channels import Sender
from services.notifications.adapters.email import SmtpSender
from services.notifications.adapters.webhook import WebhookSender
from services.notifications.delivery import Deliverer
from services.notifications.domain import NOTIFIED
from services.notifications.handlers import NotifyHandler
from services.notifications.privacy_handlers import with_erasure
from services.notifications.settings import NotificationsSettings
from services.notifications.templates import Templates

NAME = "notifications"


def build(platform: Platform, settings: NotificationsSettings) -> ServiceSpec:
    """The service with its delivery loop for e-mail and webhooks."""
    deliverer = make_deliverer(platform.unit_of_work(NAME), platform.clock, settings)

    async def deliver(stop: asyncio.Event) -> None:
        await deliverer.run(stop, settings.delivery_interval_s)

    return with_erasure(registry(settings.supervisor_ids, background=[deliver]))


def make_deliverer(uow: UnitOfWork, clock: Clock, settings: NotificationsSettings) -> Deliverer:
    senders: dict[str, Sender] = {
        "email": SmtpSender(host=settings.smtp_host, port=settings.smtp_port,
                            sender=settings.smtp_from, timeout_s=settings.smtp_timeout_s,
                            username=settings.smtp_username, password=settings.smtp_password,
                            start_tls=settings.smtp_start_tls),
        "webhook": WebhookSender(clock, timeout_s=settings.webhook_timeout_s),
    }
    return Deliverer(uow, senders, max_attempts=settings.delivery_max_attempts,
                     initial_backoff_s=settings.delivery_initial_backoff_s,
                     max_backoff_s=settings.delivery_max_backoff_s)


def registry(supervisors: Sequence[uuid.UUID] = (), *,
             background: Sequence[BackgroundTask] = ()) -> ServiceSpec:
    """Which event becomes which message."""
    handler = NotifyHandler(Templates(), supervisors)
    topics = {event_type.TOPIC for event_type in NOTIFIED}
    return ServiceSpec(
        name=NAME,
        handlers=dict.fromkeys(NOTIFIED, handler),
        # A notifier tells people only what it has a template for; everything else on these
        # topics (presence, offers, commands, ...) is nobody's news.
        ignores=frozenset(t for t in EVENT_TYPES if t.TOPIC in topics and t not in NOTIFIED),
        background=list(background),
    )
