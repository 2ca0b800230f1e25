"""Scoring config versions, changed through the API and applied by the ATS engine."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from pydantic import Field

from schemas.events import topics
from schemas.events.envelope import EventData


class ScoringConfigChanged(EventData):
    """A new version of the scoring config (weights and thresholds) is current."""

    TYPE: ClassVar[str] = "jams.config.ScoringConfigChanged"
    TOPIC: ClassVar[str] = topics.CONFIG
    KEY_FIELD: ClassVar[str] = "name"
    DESCRIPTION: ClassVar[str] = "An admin stored a new scoring config version."

    name: str = Field(default="scoring", description="Which config; one partition per name")
    version: str = Field(min_length=1, max_length=200)
    config: dict[str, Any] = Field(description="The ATS weights document of this version")
    actor_id: uuid.UUID | None = None


class PortalAutomationChanged(EventData):
    """An operator switched applying or scraping on a portal on or off."""

    TYPE: ClassVar[str] = "jams.config.PortalAutomationChanged"
    TOPIC: ClassVar[str] = topics.PORTALS
    KEY_FIELD: ClassVar[str] = "portal"
    DESCRIPTION: ClassVar[str] = (
        "Automation on a portal switched: the bot and discovery stop or start applying and "
        "scraping there; off means a person does it.")

    portal: str = Field(min_length=1, max_length=100, description="linkedin, indeed, greenhouse")
    applying: bool | None = Field(default=None, description="Unset: left as it was")
    scraping: bool | None = Field(default=None, description="Unset: left as it was")
    actor_id: uuid.UUID | None = None
