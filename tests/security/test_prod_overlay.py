"""The production overlay, read as the gateway reads its settings: cookies marked Secure and
HSTS sent, since production is only reached over TLS."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from services.gateway.settings import GatewaySettings

OVERLAYS = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "overlays"


def overlay_settings(name: str, monkeypatch: pytest.MonkeyPatch) -> GatewaySettings:
    """The gateway's settings with the overlay's literals in the environment."""
    overlay = yaml.safe_load((OVERLAYS / name / "kustomization.yaml").read_text("utf-8"))
    for generator in overlay.get("configMapGenerator", []):
        if generator["name"] == "jams-settings":
            for literal in generator.get("literals", []):
                key, _, value = literal.partition("=")
                monkeypatch.setenv(key, value)
    return GatewaySettings(jwt_secret=SecretStr("x" * 32))


def test_production_marks_the_session_cookies_secure_and_sends_hsts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prod = overlay_settings("prod", monkeypatch)
    assert prod.cookie_secure
    assert prod.hsts_max_age_s >= 180 * 24 * 3600
