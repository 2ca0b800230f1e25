"""Settings shared by every service; each service subclasses this with its own fields."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, IPvAnyNetwork, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    """Connection URLs and runtime switches, read from `JAMS_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="JAMS_", extra="ignore")

    bus: Literal["kafka", "embedded"] = Field(
        default="embedded", description="kafka in production; a PostgreSQL log on one machine"
    )
    bus_namespace: str = Field(
        default="", pattern=r"^[A-Za-z0-9_-]*$",
        description="Prefix of every topic and consumer group; lets systems share a broker",
    )
    bus_retention_s: float = Field(
        default=7 * 86400, gt=0,
        description="Embedded log: records older than this that every consumer group has "
                    "passed are deleted (Kafka's own default retention, 7 days)")
    bus_prune_interval_s: float = Field(
        default=300, gt=0, description="Embedded log: seconds between prunings")
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_partitions: int = Field(default=3, ge=1, le=1000)
    kafka_replication_factor: int = Field(default=1, ge=1)
    database_url: str = Field(
        default="postgresql+psycopg://postgres@/jams?host=.jams/pg",
        description="SQLAlchemy URL (psycopg driver); a Unix socket dir goes in ?host=",
    )
    mongo_url: str | None = Field(
        default=None, description="MongoDB-wire URL for raw documents; PostgreSQL JSONB if unset"
    )
    redis_url: str = "redis://127.0.0.1:6379/0"
    blob_dir: Path = Path(".jams/blobs")
    s3_url: str | None = Field(
        default=None, description="S3-compatible endpoint for blobs; the blob_dir folder if unset"
    )
    s3_bucket: str = "jams-blobs"
    s3_access_key: str = Field(default="jams", description="S3 access key id (JAMS_S3_ACCESS_KEY)")
    s3_secret_key: SecretStr = Field(
        default=SecretStr("jams-secret"),
        description="S3 secret key (JAMS_S3_SECRET_KEY); the default is the dev server's",
    )
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=0, ge=0, le=65535, description="0 picks a free port")
    ops_port: int | None = Field(
        default=None, ge=0, le=65535,
        description="Serve /healthz, /readyz, /metrics and the API docs (/docs, /openapi.json) "
        "on this port only, apart from the API (JAMS_OPS_PORT); unset: all on http_port",
    )
    trusted_proxies: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description="Networks of the reverse proxies in front (JAMS_TRUSTED_PROXIES, a JSON "
        "list of CIDRs): only a request whose direct peer is in one has its client address "
        "(throttling, rate limits, logs) taken from X-Forwarded-For; empty: the peer's own",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = Field(
        default="json", description="json: one JSON object a line, for a log pipeline; "
        "console: one readable line an event, for a person at a terminal (`jams run`'s)",
    )
    retry_max_attempts: int = Field(default=5, ge=1, le=100)
    retry_initial_backoff_s: float = Field(default=0.2, ge=0)
    retry_max_backoff_s: float = Field(default=10.0, ge=0)
    shutdown_grace_s: float = Field(default=20.0, gt=0)
    otlp_endpoint: str | None = Field(
        default=None, description="OpenTelemetry collector's OTLP/HTTP base URL "
        "(JAMS_OTLP_ENDPOINT, e.g. http://otel-collector:4318); traces go there when set",
    )
    trace_file: Path | None = Field(
        default=None, description="Append finished spans here as JSON lines (JAMS_TRACE_FILE)",
    )
    data_dir: Path = Field(
        default=Path(".jams"), description="Local state of the embedded default (JWT secret)"
    )
    hsts_max_age_s: int = Field(
        default=0, ge=0, description="Strict-Transport-Security max-age sent with every HTTP "
        "response; 0 sends none (set it when the service is only reached over TLS)",
    )
    jwt_secret: SecretStr = Field(
        default=SecretStr(""),
        description="HS256 key of access tokens (JAMS_JWT_SECRET); required when distributed, "
        "generated once and kept in data_dir/jwt_secret on the embedded default",
    )
    portal_session_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="AES-256-GCM keys (32 bytes, base64) sealing candidates' portal sessions, "
        "by key id (JAMS_PORTAL_SESSION_KEYS, a JSON object); keep old ones to open what they "
        "sealed; generated once in data_dir/portal_session_key on the embedded default",
    )
    portal_session_key_id: str = Field(
        default="", max_length=64,
        description="The id in portal_session_keys that seals new sessions; unset: no sessions",
    )

    @model_validator(mode="after")
    def _embedded_secrets(self) -> Self:
        # One machine, nothing configured: random keys kept on disk, so tokens and sealed
        # sessions survive restarts.
        if not self.jwt_secret.get_secret_value() and self.bus == "embedded":
            self.jwt_secret = SecretStr(persistent_secret(self.data_dir / "jwt_secret"))
        if not self.portal_session_keys and self.bus == "embedded":
            self.portal_session_keys = {"local": SecretStr(
                persistent_secret(self.data_dir / "portal_session_key", 32))}
            self.portal_session_key_id = self.portal_session_key_id or "local"
        return self


def persistent_secret(path: Path, nbytes: int = 48) -> str:
    """The secret stored at `path`, created (readable by the owner only) on first use."""
    try:
        return path.read_text("utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race; use theirs once written
        for _ in range(50):
            if existing := path.read_text("utf-8").strip():
                return existing
            time.sleep(0.02)
        raise RuntimeError(f"{path} stays empty; delete it to make a new secret") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_urlsafe(nbytes))
    return path.read_text("utf-8").strip()
