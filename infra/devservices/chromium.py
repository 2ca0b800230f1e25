"""Debian's headless Chromium for Playwright: not a server, only installed (apt) and located.

The "old headless shell" build is the one Playwright itself runs for headless work: no browser
UI behind each page, so an application through it costs about a third of the CPU of full
Chromium (`make bench-bot` on two cores: 240 applications a minute against 91)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

from infra.chromium import PACKAGE, find_chromium
from infra.devservices.process import DevServiceError, apt_install
from infra.devservices.service import Outcome, Service, Status, timed


class Chromium(Service):
    """The browser binary that Playwright launches via JAMS_CHROMIUM_PATH."""

    name = "chromium"
    expect = "chromium"

    @property
    def path(self) -> str:
        """JAMS_CHROMIUM_PATH, else the headless shell on PATH, else Debian's location."""
        return self.cfg.chromium_path or find_chromium()

    @property
    def address(self) -> str:
        """The executable's path."""
        return self.path

    def _present(self) -> bool:
        return os.access(self.path, os.X_OK)

    def install(self) -> list[str]:
        """apt-get install the headless shell when missing (root only; refreshes the index if
        needed)."""
        if self._present():
            return []
        if self.cfg.chromium_path:
            raise DevServiceError(f"JAMS_CHROMIUM_PATH={self.path} is not an executable")
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise DevServiceError(f"chromium is missing: run `sudo apt-get install -y {PACKAGE}`")
        # Recommends stay on: they bring the fonts that pages and screenshots need.
        return [timed("apt-get installed",
                      lambda: apt_install([PACKAGE, "fonts-liberation"], self.state_dir))]

    def launch(self) -> subprocess.Popen[bytes] | None:
        """Nothing to start: Playwright launches the browser per test."""
        return None

    def probe(self) -> None:
        """`chromium --version` answers (the binary and its shared libraries load)."""
        self.version()

    def version(self) -> str:
        """The version banner without the build note, e.g. "Chromium 156.0.8078.108"."""
        try:
            out = subprocess.run(
                [self.path, "--version"], capture_output=True, text=True, timeout=30, check=False
            )
        except OSError as exc:
            raise DevServiceError(f"{self.path} does not run: {exc}") from exc
        if out.returncode != 0 or not out.stdout.strip():
            raise DevServiceError(f"{self.path} --version exited {out.returncode}: {out.stderr}")
        return out.stdout.strip().split(" built")[0]

    def up(self) -> Outcome:
        """Install if missing and check it runs."""
        start = time.monotonic()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        notes = self.install()
        version = self.version()
        return Outcome(
            self.name, "present", time.monotonic() - start, f"{self.path} ({version})", notes
        )

    def down(self) -> Outcome:
        """Nothing runs in the background."""
        return Outcome(self.name, "nothing to stop", 0.0)

    def status(self) -> Status:
        """Installed or missing."""
        if not self._present():
            return Status(self.name, "missing", None, self.path, False)
        try:
            return Status(self.name, self.version(), None, self.path, True)
        except DevServiceError:
            return Status(self.name, "does not run", None, self.path, False)

    def env(self) -> dict[str, str]:
        """JAMS_CHROMIUM_PATH."""
        return {"JAMS_CHROMIUM_PATH": self.path}

