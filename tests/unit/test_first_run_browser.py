"""`jams run` on a machine without the browser it is told to use: one line saying so, and the
system starts anyway (applications wait for the browser, as through any outage)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from infra.chromium import DEFAULT_PATH, PACKAGE, ChromiumSettings, find_chromium
from services.all_in_one import ensure_chromium


def test_a_missing_browser_is_one_line_naming_it_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = tmp_path / "chromium"
    monkeypatch.setenv("JAMS_CHROMIUM_PATH", str(missing))
    monkeypatch.setenv("JAMS_DEV_DIR", str(tmp_path / "dev"))
    console = Console(record=True, width=300)

    ensure_chromium(console)

    [line] = console.export_text().strip().splitlines()
    assert f"JAMS_CHROMIUM_PATH={missing} is not an executable" in line


def test_chromium_is_one_setting_with_one_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAMS_CHROMIUM_PATH", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert find_chromium() == DEFAULT_PATH
    assert str(ChromiumSettings().chromium_path) == DEFAULT_PATH
    monkeypatch.setenv("JAMS_CHROMIUM_PATH", "/opt/chromium/chrome")
    assert str(ChromiumSettings().chromium_path) == "/opt/chromium/chrome"
    assert PACKAGE in ChromiumSettings.model_fields["chromium_path"].description  # type: ignore[operator]
