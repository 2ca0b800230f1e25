"""Install steps and detached servers: where their output goes, and how a failure reads."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from infra.devservices.process import DevServiceError, run_tool, spawn


def test_a_step_keeps_its_output_and_errors_in_its_log(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "step.log"
    log.parent.mkdir()
    log.write_text("an earlier run\n")

    run_tool([sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr)"],
             log=log, cwd=tmp_path)

    assert sorted(log.read_text().split()) == ["err", "out"]  # the earlier run is gone


def test_a_failing_step_says_its_exit_code_and_the_end_of_its_log(tmp_path: Path) -> None:
    with pytest.raises(DevServiceError, match=r"exited 3:\nwhy it failed"):
        run_tool([sys.executable, "-c", "print('why it failed'); raise SystemExit(3)"],
                 log=tmp_path / "step.log")


def test_a_missing_program_is_named(tmp_path: Path) -> None:
    with pytest.raises(DevServiceError, match="no-such-tool-here is not installed"):
        run_tool(["no-such-tool-here"], log=tmp_path / "step.log")


def test_a_step_past_its_timeout_is_killed(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(DevServiceError, match="ran past 1s"):
        run_tool([sys.executable, "-c", "import time; time.sleep(60)"],
                 log=tmp_path / "step.log", timeout=1)
    assert time.monotonic() - started < 30


def test_a_spawned_server_appends_to_its_log_and_gets_its_pid_file(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("first start\n")

    proc = spawn([sys.executable, "-c", "print('second start')"], log=log,
                 pidfile=tmp_path / "server.pid")
    proc.wait(timeout=30)

    assert log.read_text().split("\n")[:2] == ["first start", "second start"]
    assert (tmp_path / "server.pid").read_text().split("\n", 1)[0].strip() == str(proc.pid)
