"""The bench-e2e run under faults: `python -m bench.chaos [--jobs N --candidates N]`.

While the system works, each service process in turn is killed with SIGKILL and started again,
then the Kafka broker is restarted once and PostgreSQL once. Kafka and PostgreSQL are private
instances for this run (started by the same dev-server code as `make services-up`, in a
temporary folder on free ports), so restarting them disturbs no one else; FerretDB and Valkey
are the shared dev servers. Like an orchestrator, the run also restarts any service that exits
on its own (counted apart from the injected faults). The last stdout line is one JSON object:
the bench-e2e counters plus `faults_injected`; duplicates and lost must be 0 and every review
task must end in exactly one terminal state.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.bench_e2e import clean, report
from bench.e2e_run import add_arguments, console, dev_servers, execute, summary
from bench.e2e_system import Servers, System, free_port
from infra.devservices import DevConfig
from infra.devservices.private import PrivateServers

SERVERS = ("kafka", "postgres")


@contextlib.contextmanager
def private_servers() -> Iterator[PrivateServers]:
    """Kafka and PostgreSQL of this run only; stopped and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="jams-chaos-"))
    servers = PrivateServers(folder, {"JAMS_DEV_KAFKA_PORT": free_port(),
                                      "JAMS_DEV_KAFKA_CONTROLLER_PORT": free_port()})
    shared_jars = DevConfig.from_env().dev_dir / "kafka" / "libs"
    if shared_jars.is_dir():  # the jars `make services-up` already resolved
        (folder / ".dev" / "kafka").mkdir(parents=True)
        (folder / ".dev" / "kafka" / "libs").symlink_to(shared_jars)
    try:
        with console.status("starting a private Kafka and PostgreSQL for the faults"):
            servers.up(*SERVERS)
        yield servers
    finally:
        with contextlib.suppress(Exception):
            servers.down(*SERVERS)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class ChaosPlan:
    private: PrivateServers
    interval_s: float
    first_after_s: float
    injected: int = 0

    async def __call__(self, system: System, servers: Servers) -> int:
        await asyncio.sleep(self.first_after_s)
        for name, service in system.services.items():
            console.print(f"[yellow]chaos: SIGKILL {name}")
            system.paused.add(name)  # not for the supervisor to restart meanwhile
            service.kill()
            self.injected += 1
            await asyncio.sleep(1)
            service.start()
            system.paused.discard(name)
            with contextlib.suppress(Exception):  # the supervisor restarts it if it dies
                await service.wait_ready(timeout_s=180)
            await asyncio.sleep(self.interval_s)
        for name in SERVERS:
            console.print(f"[yellow]chaos: restarting {name}")
            self.injected += 1
            await asyncio.to_thread(self._restart, name)
            await asyncio.sleep(self.interval_s)
        return self.injected

    def _restart(self, name: str, attempts: int = 5) -> None:
        """Stop the server (a busy PostgreSQL checkpoints first) and start it again on the
        same data and port; a start that races the end of the stop is tried again."""
        self.private.down(name)
        for attempt in range(1, attempts + 1):
            try:
                self.private.up(name)
                return
            except RuntimeError:
                if attempt == attempts:
                    raise
                time.sleep(5)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    add_arguments(parser)
    parser.add_argument("--fault-interval-s", type=float, default=15,
                        help="seconds between faults")
    parser.add_argument("--first-fault-after-s", type=float, default=20,
                        help="seconds after the system is up before the first fault")
    args = parser.parse_args(argv)
    shared = dev_servers()
    with private_servers() as private:
        env = private.env()
        servers = Servers(env["JAMS_DATABASE_URL"], env["JAMS_KAFKA_BOOTSTRAP"],
                          shared.redis_url, shared.mongo_url, shared.chromium_path)
        plan = ChaosPlan(private, args.fault_interval_s, args.first_fault_after_s)
        result = asyncio.run(execute(args, servers, plan))
        with console.status("measuring the embedding model alone on the same jobs"):
            figures = summary(args, result)
    figures = {**figures, "faults_injected": result.faults}
    if figures["breakdown"]["double_terminal"]:
        console.print("[red]a review task ended in two terminal states")
    return report("chaos", figures, clean(figures, result))


if __name__ == "__main__":
    sys.exit(main())
