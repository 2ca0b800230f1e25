"""`make run` on a fresh data folder: its own entry point (`jams run --sandbox`) in a temporary
folder on free ports, with nothing from the dev servers' environment. The two auto-applied
submissions reach the sandbox portal within a minute, and the dashboard lists the e-mails."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.slow, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
ADA, BRUNO = "ada.okafor@example.com", "bruno.lindqvist@example.com"
BACKEND_POSTS = {4012345001, 4098765001}  # one job, posted on two boards
FRONTEND = 4012345003
GATEWAY = re.compile(r"Log in\s+(http://127\.0\.0\.1:\d+)/login")
PORTAL = re.compile(r"Applications sent\s+(http://127\.0\.0\.1:\d+)/_sandbox/submissions")


@asynccontextmanager
async def jams_run(data: Path, chromium_path: str, log: Path) -> AsyncIterator[dict[str, str]]:
    """`jams run --sandbox` until it says where it listens; stopped with Ctrl-C after."""
    # A fresh machine's environment: no dev server's address, only where Chromium is.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(data)),
           "PYTHONPATH": str(REPO), "JAMS_CHROMIUM_PATH": chromium_path}
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from services.cli import app; app(prog_name='jams')",
            "run", "--sandbox", "--port", "0", "--data-dir", str(data),
            cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=stderr)
        assert process.stdout is not None
        found: dict[str, str] = {}
        try:
            async with asyncio.timeout(180):
                while len(found) < 2:
                    line = (await process.stdout.readline()).decode()
                    if not line:
                        pytest.fail(f"jams run stopped; its log is in {log}")
                    for name, pattern in (("gateway", GATEWAY), ("portal", PORTAL)):
                        if match := pattern.search(line):
                            found[name] = match.group(1)
            yield found
        finally:
            process.send_signal(signal.SIGINT)
            async with asyncio.timeout(90):
                await process.communicate()


async def submissions(client: httpx.AsyncClient, portal: str) -> list[dict[str, Any]]:
    """What the portal recorded; none while it does not answer (a busy machine's first model
    load can hold the one process's event loop for a while)."""
    try:
        response = await client.get(f"{portal}/_sandbox/submissions")
    except httpx.TransportError:
        return []
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()
    return result


async def test_make_run_applies_on_the_sandbox_and_lists_the_emails_sent(
    tmp_path: Path, chromium_path: str,
) -> None:
    data = tmp_path / "jams"
    async with jams_run(data, chromium_path, tmp_path / "jams.log") as urls, \
            httpx.AsyncClient(timeout=60) as client:
        started = time.monotonic()
        async with asyncio.timeout(240):  # a guard against hanging; the minute is asserted
            while len(sent := await submissions(client, urls["portal"])) < 2:
                await asyncio.sleep(0.5)
        took_s = time.monotonic() - started
        await asyncio.sleep(1)  # room for a wrong extra application to show up
        sent = await submissions(client, urls["portal"])

        password = (data / "demo_password").read_text().strip()
        login = await client.post(f"{urls['gateway']}/api/v1/auth/login",
                                  json={"email": "operator@jams.local", "password": password})
        assert login.status_code == 200, login.text
        operator = {"authorization": f"Bearer {login.json()['access_token']}"}
        async with asyncio.timeout(60):
            while True:
                listed = await client.get(f"{urls['gateway']}/api/v1/mail", headers=operator)
                assert listed.status_code == 200, listed.text
                if len(messages := listed.json()["messages"]) >= 2:
                    break
                await asyncio.sleep(0.5)
        page = await client.get(f"{urls['gateway']}/mail", headers=operator)
        ready = (await client.get(f"{urls['gateway']}/readyz")).json()
        anonymous = await client.get(f"{urls['gateway']}/api/v1/mail")

    applied = sorted((s["fields"]["email"], s["job_id"]) for s in sent)
    assert len(applied) == 2, applied
    assert applied[0][0] == ADA and applied[0][1] in BACKEND_POSTS
    assert applied[1] == (BRUNO, FRONTEND)
    assert sorted(r for m in messages for r in m["recipients"]) == [ADA, BRUNO]
    assert all(m["subject"] and m["body"] and m["received_at"] for m in messages)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/assets/mail.js"></script>' in page.text
    assert "<script>" not in page.text and " on" not in page.text.split("<body>")[1].split("=")[0]
    assert anonymous.status_code == 401
    assert ready["checks"]["browser"] == "ok", ready
    assert took_s < 60, f"the two applications took {took_s:.0f} s"
