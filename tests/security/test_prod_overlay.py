"""The production overlay, read as the gateway reads its settings: cookies marked Secure and
HSTS sent, since production is only reached over TLS; forwarded client addresses believed
only from the Ingress."""

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


@pytest.mark.parametrize("name", ["prod", "dev"])
def test_the_cluster_believes_x_forwarded_for_only_from_its_private_network(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxies = overlay_settings(name, monkeypatch).trusted_proxies
    assert proxies and all(network.is_private for network in proxies)


def test_without_the_setting_no_peer_is_trusted_as_a_proxy() -> None:
    assert GatewaySettings(jwt_secret=SecretStr("x" * 32)).trusted_proxies == []
