"""Gateway API benchmark: one gateway process (uvicorn, real PostgreSQL and Redis/Valkey from
`.dev/services.env`) serving an authenticated, cursor-paginated list (`GET /api/v1/jobs`,
following `next_cursor` page after page), against a bare FastAPI endpoint returning a page of
the same size from memory, in its own process, loaded by the same generator in the same run.

The load generator is httpx (asyncio) with a fixed number of concurrent connections; it runs
in this process, so both sides pay its cost alike. Progress on stderr; the last stdout line
is one JSON object: rps, p50_ms, p99_ms, baseline_rps, baseline_p99_ms, ratio, ...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from pydantic import SecretStr

from bench.e2e_system import ManagedProcess, free_port
from infra.auth import Role, mint_access_token
from infra.migrate import upgrade
from tests.servers import load_dev_env, scratch_database

ROOT = Path(__file__).resolve().parents[1]
SECRET = SecretStr(f"bench-gateway-{uuid.uuid4().hex}")
PAGE = 20


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def seed_jobs(database_url: str, count: int) -> None:
    """Read-model rows as the JobPublished projection writes them."""
    from services.gateway.readmodel.tables import jobs

    engine = sa.create_engine(database_url)
    start = datetime.now(UTC) - timedelta(days=1)
    rows = [{
        "job_id": uuid.uuid4(), "company": f"Company {n % 97}", "title": f"Engineer {n}",
        "location": "Berlin" if n % 3 else "Remote", "description": "Build things " * 20,
        "apply_url": f"https://jobs.example.com/{n}", "workplace": "remote" if n % 3 == 0
        else "onsite", "country": "DE", "open": True, "created_at": start + timedelta(
            milliseconds=n), "updated_at": start + timedelta(milliseconds=n),
    } for n in range(count)]
    with engine.begin() as conn:
        conn.execute(sa.insert(jobs), rows)
    engine.dispose()


async def wait_ready(url: str, headers: dict[str, str], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(url, headers=headers)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout_s} s")


async def load(base: str, path: str, headers: dict[str, str], *, concurrency: int,
               duration_s: float, follow_cursor: bool) -> dict[str, Any]:
    """Requests from `concurrency` workers for `duration_s`; each walks the pages in turn."""
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + duration_s
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits,
                                 timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            cursor: str | None = None
            while time.monotonic() < stop_at:
                params: dict[str, Any] = {"limit": PAGE}
                if cursor:
                    params["cursor"] = cursor
                began = time.perf_counter()
                response = await client.get(path, params=params)
                latencies.append(time.perf_counter() - began)
                if response.status_code != 200:
                    errors += 1
                    cursor = None
                    continue
                cursor = response.json().get("next_cursor") if follow_cursor else None

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    return summary(latencies, errors, elapsed)


def summary(latencies: list[float], errors: int, elapsed: float) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered), "errors": errors, "rps": round(len(ordered) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 2),
        "elapsed_s": elapsed, "latencies": ordered,
    }


def combined(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One summary of several rounds: all requests over all their time."""
    return summary([x for p in parts for x in p["latencies"]],
                   sum(p["errors"] for p in parts), sum(p["elapsed_s"] for p in parts))


def brief(result: dict[str, Any]) -> str:
    return f"{result['rps']} rps, p99 {result['p99_ms']} ms"


def bare_app() -> Any:
    """The baseline: FastAPI returning one page of the same shape from memory, no auth, no DB."""
    from fastapi import FastAPI

    app = FastAPI()
    items = [{"job_id": str(uuid.uuid4()), "company": "Company", "title": f"Engineer {n}",
              "location": "Berlin", "description": "Build things " * 20,
              "apply_url": f"https://jobs.example.com/{n}", "open": True} for n in range(PAGE)]

    @app.get("/bare")
    async def bare(limit: int = PAGE, cursor: str | None = None) -> dict[str, Any]:
        return {"items": items[:limit], "next_cursor": None}

    return app


def serve_bare(port: int) -> None:
    import uvicorn

    uvicorn.run(bare_app(), host="127.0.0.1", port=port, log_level="warning",
                access_log=False)


async def measure(database_url: str, redis_url: str, args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    gateway_port, bare_port = free_port(), free_port()
    env = {**os.environ, "JAMS_DATABASE_URL": database_url, "JAMS_REDIS_URL": redis_url,
           "JAMS_BUS": "embedded", "JAMS_BUS_NAMESPACE": f"bgw{uuid.uuid4().hex[:8]}",
           "JAMS_HTTP_PORT": str(gateway_port), "JAMS_HTTP_HOST": "127.0.0.1",
           "JAMS_JWT_SECRET": SECRET.get_secret_value(), "JAMS_BLOB_DIR": str(work / "blobs"),
           "JAMS_DATA_DIR": str(work), "JAMS_RATE_LIMIT_PER_IP": "100000000",
           "JAMS_RATE_LIMIT_PER_USER": "100000000", "JAMS_LOG_LEVEL": args.log_level}
    env.pop("JAMS_S3_URL", None)
    token = mint_access_token(SECRET, uuid.uuid4(), Role.OPERATOR, ttl_s=3600)
    auth = {"Authorization": f"Bearer {token}"}
    gateway_cmd = [sys.executable, "-m", "services.gateway"]
    bare_cmd = [sys.executable, "-m", "bench.bench_gateway", "--serve-bare", str(bare_port)]
    gateway_process = ManagedProcess("gateway", gateway_cmd, env, work / "gateway.log",
                                     gateway_port)
    bare_process = ManagedProcess("bare", bare_cmd, env, work / "bare.log", bare_port)
    with gateway_process.running(), bare_process.running():
        gateway, bare = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{bare_port}"
        await wait_ready(f"{gateway}/api/v1/jobs?limit=1", auth)
        await wait_ready(f"{bare}/bare", {})
        log(f"warming up ({args.warmup_s} s each)")
        await load(gateway, "/api/v1/jobs", auth, concurrency=args.concurrency,
                   duration_s=args.warmup_s, follow_cursor=True)
        await load(bare, "/bare", {}, concurrency=args.concurrency, duration_s=args.warmup_s,
                   follow_cursor=False)
        # Rounds alternate the two sides, so a neighbour's burst of load on this machine
        # falls on both alike rather than on one.
        slice_s = args.duration_s / args.rounds
        log(f"gateway: GET /api/v1/jobs?limit={PAGE}, bearer token, following next_cursor; "
            f"baseline: bare FastAPI GET /bare; {args.concurrency} connections, "
            f"{args.rounds} alternating rounds of {slice_s:.1f} s each")
        rounds: dict[str, list[dict[str, Any]]] = {"gateway": [], "baseline": []}
        for number in range(args.rounds):
            rounds["gateway"].append(await load(
                gateway, "/api/v1/jobs", auth, concurrency=args.concurrency,
                duration_s=slice_s, follow_cursor=True))
            rounds["baseline"].append(await load(
                bare, "/bare", {}, concurrency=args.concurrency, duration_s=slice_s,
                follow_cursor=False))
            log(f"  round {number + 1}: gateway {brief(rounds['gateway'][-1])}, "
                f"baseline {brief(rounds['baseline'][-1])}")
    ours, base = combined(rounds["gateway"]), combined(rounds["baseline"])
    return {
        "rps": ours["rps"], "p50_ms": ours["p50_ms"], "p99_ms": ours["p99_ms"],
        "errors": ours["errors"], "requests": ours["requests"],
        "baseline_rps": base["rps"], "baseline_p50_ms": base["p50_ms"],
        "baseline_p99_ms": base["p99_ms"],
        "ratio": round(ours["rps"] / base["rps"], 3) if base["rps"] else None,
        "target_ratio": 0.3, "endpoint": "GET /api/v1/jobs", "page_size": PAGE,
        "jobs": args.jobs, "concurrency": args.concurrency, "duration_s": args.duration_s,
        "rounds": args.rounds,
        "log_level": args.log_level, "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=5000, help="jobs in the read model")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration-s", type=float, default=12.0, help="per side, all rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup-s", type=float, default=2.0)
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING"],
                        help="the gateway's JAMS_LOG_LEVEL (info logs every request)")
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare)
        return
    load_dev_env()
    admin_url, redis_url = os.environ["JAMS_DATABASE_URL"], os.environ["JAMS_REDIS_URL"]
    with scratch_database(admin_url) as database_url:
        log("migrating a scratch database")
        upgrade(database_url)
        log(f"seeding {args.jobs} jobs into the gateway's read model")
        seed_jobs(database_url, args.jobs)
        result = asyncio.run(measure(database_url, redis_url, args))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
