"""Where the Chromium that Playwright drives is: one setting, one default, or on PATH.

`JAMS_CHROMIUM_PATH` names it; unset, Debian's headless shell is looked up on PATH, and
Debian's location is the default (`make services-up` and `make run` install it there)."""

from __future__ import annotations

import shutil
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE = "chromium-headless-shell"
DEFAULT_PATH = "/usr/bin/chromium-headless-shell"


def find_chromium() -> str:
    """The headless shell on PATH, else Debian's location."""
    return shutil.which(PACKAGE) or DEFAULT_PATH


class ChromiumSettings(BaseSettings):
    """The `chromium_path` field of every service that drives a browser."""

    model_config = SettingsConfigDict(env_prefix="JAMS_", extra="ignore")

    chromium_path: Path = Field(
        default_factory=lambda: Path(find_chromium()),
        description="The Chromium binary Playwright drives (JAMS_CHROMIUM_PATH); unset: "
        f"`{PACKAGE}` on PATH, else {DEFAULT_PATH}",
    )
