"""Settings of the notifications service."""

from __future__ import annotations

import uuid

from pydantic import Field, SecretStr

from infra.settings import CommonSettings


class NotificationsSettings(CommonSettings):
    """Read from `JAMS_*` variables, like every service's settings."""

    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for e-mail")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = Field(default="JAMS <notifications@jams.local>")
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_start_tls: bool = False
    smtp_timeout_s: float = Field(default=10.0, gt=0, le=120)
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=120)
    sms_api_url: str = Field(
        default="https://api.twilio.com",
        description="Twilio's REST API, or the sandbox portal's stand-in (http://127.0.0.1:8700)")
    sms_account_sid: str | None = Field(
        default=None, description="Twilio account SID (AC...): the basic-auth user")
    sms_auth_token: SecretStr | None = Field(default=None, description="Twilio auth token")
    sms_from: str | None = Field(
        default=None, pattern=r"^\+[1-9]\d{1,14}$",
        description="The sending number, E.164; without SID, token and number, SMS waits")
    sms_timeout_s: float = Field(default=10.0, gt=0, le=120)
    delivery_interval_s: float = Field(default=1.0, gt=0, le=600,
                                       description="How often due deliveries are sent")
    delivery_max_attempts: int = Field(default=6, ge=1, le=50,
                                       description="Attempts before a delivery is dead-lettered")
    delivery_initial_backoff_s: float = Field(default=5.0, ge=0, le=3600)
    delivery_max_backoff_s: float = Field(default=600.0, ge=0, le=86400)
    supervisor_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Told when a reviewer is struck or locked")
    operator_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Told when a dead-letter topic keeps growing")
    dlq_check_interval_s: float = Field(
        default=60.0, gt=0, le=86400, description="How often dead-letter topics are counted")
    dlq_alert_threshold: int = Field(
        default=10, ge=1, description="Dead letters a topic may hold before operators are told")
    dlq_alert_growth: int = Field(
        default=5, ge=1, description="New dead letters within the window that alert at once")
    dlq_alert_window_s: float = Field(
        default=600.0, gt=0, le=7 * 86400,
        description="Growth window; an episode ends after a window without growth")
    digest_check_interval_s: float = Field(
        default=30.0, gt=0, le=3600, description="How often ended digest windows are sent")
    interview_reminder_leads_s: list[int] = Field(
        default_factory=lambda: [24 * 3600, 3600],
        description="How long before an interview its reminders go out, in seconds")
    reminder_check_interval_s: float = Field(
        default=30.0, gt=0, le=3600, description="How often due interview reminders are sent")
