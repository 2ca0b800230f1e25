"""The analytics service alone in its process on Kafka: its own app, operators-only, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from infra.auth import Role, mint_access_token
from tests.integration.test_service_process import read_port

pytestmark = [pytest.mark.integration, pytest.mark.kafka]

ROOT = Path(__file__).resolve().parents[2]
SECRET = "process-test-secret-0123456789-abcdef"


def test_analytics_alone_serves_its_own_api_and_stops_cleanly(
    database_url: str, kafka_bootstrap: str, redis_url: str, tmp_path: Path
) -> None:
    namespace = f"proc{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "JAMS_BUS": "kafka", "JAMS_BUS_NAMESPACE": namespace,
        "JAMS_ANALYTICS_NAMESPACE": namespace, "JAMS_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "JAMS_DATABASE_URL": database_url, "JAMS_REDIS_URL": redis_url,
        "JAMS_BLOB_DIR": str(tmp_path), "JAMS_DATA_DIR": str(tmp_path), "JAMS_HTTP_PORT": "0",
        "JAMS_JWT_SECRET": SECRET,
    }
    process = subprocess.Popen([sys.executable, "-m", "services.analytics"], cwd=ROOT, env=env,
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        base = f"http://127.0.0.1:{read_port(process)}"
        deadline = time.monotonic() + 60
        while (ready := httpx.get(f"{base}/readyz")).status_code != 200:
            assert time.monotonic() < deadline, ready.text
            time.sleep(0.2)
        token = mint_access_token(SecretStr(SECRET), uuid.uuid4(), Role.OPERATOR)
        summary = httpx.get(f"{base}/api/v1/analytics/summary",
                            headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert summary.status_code == 200 and summary.json()["jobs_found"] == 0
        assert httpx.get(f"{base}/api/v1/analytics/summary").status_code == 401
        assert httpx.get(f"{base}/review").status_code == 404, "the gateway's pages are not here"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
