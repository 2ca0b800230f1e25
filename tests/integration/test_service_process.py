"""A service alone in its process: health, readiness, metrics, JSON logs, graceful SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.kafka]

ROOT = Path(__file__).resolve().parents[2]


def read_port(process: subprocess.Popen[str], timeout_s: float = 90) -> int:
    """The port from the service's `http listening` log line (it binds port 0)."""
    deadline = time.monotonic() + timeout_s
    assert process.stderr is not None
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            pytest.fail(f"service exited early with {process.poll()}")
        entry = json.loads(line)  # every line is JSON
        if entry.get("event") == "http listening":
            return int(entry["port"])
    pytest.fail("service did not start listening")


@pytest.mark.parametrize("service", ["notifications", "ats_engine"])
def test_a_service_runs_alone_and_stops_cleanly_on_sigterm(
    service: str, database_url: str, kafka_bootstrap: str, redis_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "JAMS_BUS": "kafka",
        "JAMS_BUS_NAMESPACE": f"proc{uuid.uuid4().hex[:8]}",
        "JAMS_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "JAMS_DATABASE_URL": database_url,
        "JAMS_REDIS_URL": redis_url,
        "JAMS_BLOB_DIR": str(tmp_path),
        "JAMS_HTTP_PORT": "0",
    }
    process = subprocess.Popen([sys.executable, "-m", f"services.{service}"], cwd=ROOT, env=env,
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        base = f"http://127.0.0.1:{read_port(process)}"
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        deadline = time.monotonic() + 60
        while (ready := httpx.get(f"{base}/readyz")).status_code != 200:
            assert time.monotonic() < deadline, ready.text
            time.sleep(0.2)
        assert ready.json()["checks"] == {"consumers": "ok", "database": "ok", "redis": "ok",
                                         "bus": "ok"}
        metrics = httpx.get(f"{base}/metrics").text
        assert "jams_bus_published_total" in metrics
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        assert process.stderr is not None
        tail = [json.loads(line) for line in process.stderr.read().splitlines()]
        assert any(entry.get("event") == "service stopped" for entry in tail)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
