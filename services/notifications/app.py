"""Composition root of the notifications service."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import timedelta
from email.utils import parseaddr

from infra.clock import Clock
from infra.runtime import Platform
from infra.service import BackgroundTask, ServiceSpec
from infra.uow import UnitOfWork
from schemas.events.registry import topics_in_use
from services.notifications.adapters.channels import Sender
from services.notifications.adapters.dead_letters import TransportDeadLetters
from services.notifications.adapters.email import SmtpSender
from services.notifications.adapters.sms import TwilioSmsSender
from services.notifications.adapters.webhook import WebhookSender
from services.notifications.delivery import Deliverer
from services.notifications.digests import Digester
from services.notifications.dlq_growth import WatchRules
from services.notifications.dlq_watcher import DlqWatcher
from services.notifications.domain import NOTIFIED
from services.notifications.handlers import NotifyHandler
from services.notifications.interviews import INTERVIEW_EVENTS, REMINDER_LEADS_S
from services.notifications.privacy_handlers import with_erasure
from services.notifications.reminders import InterviewHandler, Reminders
from services.notifications.settings import NotificationsSettings
from services.notifications.templates import Templates

NAME = "notifications"


def build(platform: Platform, settings: NotificationsSettings) -> ServiceSpec:
    """The service with its loops: delivery of e-mail, webhooks and SMS, digests, dead
    letters."""
    uow = platform.unit_of_work(NAME)
    deliverer = make_deliverer(uow, platform.clock, settings)
    digester = Digester(uow, Templates())
    watcher = DlqWatcher(uow, TransportDeadLetters(platform.bus.transport, topics_in_use()).sizes,
                         dlq_rules(settings), settings.operator_ids, Templates())

    async def deliver(stop: asyncio.Event) -> None:
        await deliverer.run(stop, settings.delivery_interval_s)

    async def digest(stop: asyncio.Event) -> None:
        await digester.run(stop, settings.digest_check_interval_s)

    async def watch(stop: asyncio.Event) -> None:
        await watcher.run(stop, settings.dlq_check_interval_s)

    reminders = Reminders(uow, NotifyHandler(Templates(), settings.supervisor_ids))

    async def remind(stop: asyncio.Event) -> None:
        await reminders.run(stop, settings.reminder_check_interval_s)

    return with_erasure(registry(
        settings.supervisor_ids, background=[deliver, digest, watch, remind],
        organizer=parseaddr(settings.smtp_from)[1],
        reminder_leads_s=settings.interview_reminder_leads_s))


def dlq_rules(settings: NotificationsSettings) -> WatchRules:
    return WatchRules(threshold=settings.dlq_alert_threshold, growth=settings.dlq_alert_growth,
                      window=timedelta(seconds=settings.dlq_alert_window_s))


def make_deliverer(uow: UnitOfWork, clock: Clock, settings: NotificationsSettings) -> Deliverer:
    senders: dict[str, Sender] = {
        "email": SmtpSender(host=settings.smtp_host, port=settings.smtp_port,
                            sender=settings.smtp_from, timeout_s=settings.smtp_timeout_s,
                            username=settings.smtp_username, password=settings.smtp_password,
                            start_tls=settings.smtp_start_tls),
        "webhook": WebhookSender(clock, timeout_s=settings.webhook_timeout_s),
        "sms": TwilioSmsSender(clock, api_url=settings.sms_api_url,
                               account_sid=settings.sms_account_sid,
                               auth_token=(settings.sms_auth_token.get_secret_value()
                                           if settings.sms_auth_token else None),
                               from_number=settings.sms_from, timeout_s=settings.sms_timeout_s),
    }
    return Deliverer(uow, senders, max_attempts=settings.delivery_max_attempts,
                     initial_backoff_s=settings.delivery_initial_backoff_s,
                     max_backoff_s=settings.delivery_max_backoff_s)


def registry(supervisors: Sequence[uuid.UUID] = (), *,
             background: Sequence[BackgroundTask] = (),
             organizer: str = "notifications@jams.local",
             reminder_leads_s: Sequence[int] = REMINDER_LEADS_S) -> ServiceSpec:
    """Which event becomes which message; an interview's also plan its reminders, and its
    invitations name `organizer` (the sending address)."""
    handler = NotifyHandler(Templates(), supervisors)
    interviews = InterviewHandler(handler, organizer, reminder_leads_s)
    return ServiceSpec(
        name=NAME,
        handlers={**dict.fromkeys(NOTIFIED, handler),
                  **dict.fromkeys(INTERVIEW_EVENTS, interviews)},
        background=list(background),
    )
