"""Gateway API benchmark: one gateway process (uvicorn, real PostgreSQL and Redis/Valkey from
`.dev/services.env`) serving an authenticated, cursor-paginated list (`GET /api/v1/jobs`,
following `next_cursor` page after page), against a bare FastAPI endpoint returning a page of
the same size from memory, in its own process, loaded by the same generator in the same run.
Beside it, the recruiting service's ranked candidates (`GET /api/v1/jobs/{id}/candidates`,
best first, following `next_cursor`) of jobs with 1,000 scored candidates each, seeded in its
tables, as a recruiter of their company.

The load generator is httpx (asyncio) with a fixed number of concurrent connections; it runs
in this process, so every side pays its cost alike. Progress on stderr; the last stdout line
is one JSON object: rps, p50_ms, p99_ms, baseline_rps, baseline_p99_ms, ratio, ranked_rps,
ranked_p99_ms, ranked_ratio (ranked list rps over the bare endpoint's), ...
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


def seed_ranked(database_url: str, jobs: int, candidates: int) -> tuple[uuid.UUID, list[str]]:
    """A company, its recruiter, and published jobs with `candidates` scored candidates each,
    as the recruiting service's MatchesScored handler writes them: (recruiter, job ids)."""
    from services.recruiting.tables import candidates as ranked
    from services.recruiting.tables import companies, members
    from services.recruiting.tables import jobs as employer_jobs

    engine = sa.create_engine(database_url)
    now = datetime.now(UTC)
    company, recruiter = uuid.uuid4(), uuid.uuid4()
    job_ids = [uuid.uuid4() for _ in range(jobs)]
    with engine.begin() as conn:
        conn.execute(sa.insert(companies), [{"company_id": company, "name": "Bench",
                                             "created_at": now}])
        conn.execute(sa.insert(members), [{"user_id": recruiter, "company_id": company,
                                           "added_by": recruiter, "created_at": now}])
        conn.execute(sa.insert(employer_jobs), [{
            "job_id": job_id, "company_id": company, "status": "published",
            "title": f"Engineer {n}", "description": "Build things " * 20, "location": "Remote",
            "created_by": recruiter, "created_at": now, "updated_at": now,
            "published_at": now} for n, job_id in enumerate(job_ids)])
        for job_id in job_ids:
            conn.execute(sa.insert(ranked), [{
                "job_id": job_id, "candidate_id": uuid.uuid4(), "company_id": company,
                "match_id": uuid.uuid4(), "resume_version_id": uuid.uuid4(),
                # Ties every ten scores, so the candidate id breaks them as it must.
                "score": round((n * 7919) % 1000 / 10, 1), "decision": "review",
                "breakdown": {"must_skills": 0.7, "title": 0.5},
                "matched_skills": ["python", "postgresql"], "missing_skills": ["kafka"],
                "explanation": ["met python (5 years)", "missing kafka"],
                "scored_at": now - timedelta(seconds=n), "weights_version": "bench",
            } for n in range(candidates)])
        conn.execute(sa.text("ANALYZE recruiting_candidates"))
    engine.dispose()
    return recruiter, [str(j) for j in job_ids]


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


async def load(base: str, path: str | list[str], headers: dict[str, str], *, concurrency: int,
               duration_s: float, follow_cursor: bool) -> dict[str, Any]:
    """Requests from `concurrency` workers for `duration_s`; each walks the pages in turn (of
    one of the paths, worker by worker)."""
    paths = [path] if isinstance(path, str) else path
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + duration_s
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits,
                                 timeout=30) as client:

        async def worker(path: str) -> None:
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
        await asyncio.gather(*(worker(paths[n % len(paths)]) for n in range(concurrency)))
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


async def measure(database_url: str, redis_url: str, args: argparse.Namespace,
                  recruiter: uuid.UUID, ranked_jobs: list[str]) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    gateway_port, bare_port, recruiting_port = free_port(), free_port(), free_port()
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
    recruiting_process = ManagedProcess(
        "recruiting", [sys.executable, "-m", "services.recruiting"],
        {**env, "JAMS_HTTP_PORT": str(recruiting_port)}, work / "recruiting.log",
        recruiting_port)
    ranked_auth = {"Authorization": "Bearer " + mint_access_token(
        SECRET, recruiter, Role.RECRUITER, ttl_s=3600)}
    ranked_paths = [f"/api/v1/jobs/{job}/candidates" for job in ranked_jobs]
    with gateway_process.running(), bare_process.running(), recruiting_process.running():
        gateway, bare = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{bare_port}"
        recruiting = f"http://127.0.0.1:{recruiting_port}"
        await wait_ready(f"{gateway}/api/v1/jobs?limit=1", auth)
        await wait_ready(f"{bare}/bare", {})
        await wait_ready(f"{recruiting}{ranked_paths[0]}?limit=1", ranked_auth)
        log(f"warming up ({args.warmup_s} s each)")
        await load(gateway, "/api/v1/jobs", auth, concurrency=args.concurrency,
                   duration_s=args.warmup_s, follow_cursor=True)
        await load(bare, "/bare", {}, concurrency=args.concurrency, duration_s=args.warmup_s,
                   follow_cursor=False)
        await load(recruiting, ranked_paths, ranked_auth, concurrency=args.concurrency,
                   duration_s=args.warmup_s, follow_cursor=True)
        # Rounds alternate the two sides, so a neighbour's burst of load on this machine
        # falls on both alike rather than on one.
        slice_s = args.duration_s / args.rounds
        log(f"gateway: GET /api/v1/jobs?limit={PAGE}, bearer token, following next_cursor; "
            f"ranked: recruiting GET /api/v1/jobs/{{id}}/candidates?limit={PAGE} of "
            f"{len(ranked_jobs)} jobs x {args.candidates} candidates, best first, following "
            f"next_cursor; baseline: bare FastAPI GET /bare; {args.concurrency} connections, "
            f"{args.rounds} alternating rounds of {slice_s:.1f} s each")
        rounds: dict[str, list[dict[str, Any]]] = {"gateway": [], "baseline": [], "ranked": []}
        for number in range(args.rounds):
            rounds["gateway"].append(await load(
                gateway, "/api/v1/jobs", auth, concurrency=args.concurrency,
                duration_s=slice_s, follow_cursor=True))
            rounds["baseline"].append(await load(
                bare, "/bare", {}, concurrency=args.concurrency, duration_s=slice_s,
                follow_cursor=False))
            rounds["ranked"].append(await load(
                recruiting, ranked_paths, ranked_auth, concurrency=args.concurrency,
                duration_s=slice_s, follow_cursor=True))
            log(f"  round {number + 1}: gateway {brief(rounds['gateway'][-1])}, "
                f"baseline {brief(rounds['baseline'][-1])}, "
                f"ranked {brief(rounds['ranked'][-1])}")
    ours, base = combined(rounds["gateway"]), combined(rounds["baseline"])
    ranked = combined(rounds["ranked"])
    return {
        "rps": ours["rps"], "p50_ms": ours["p50_ms"], "p99_ms": ours["p99_ms"],
        "errors": ours["errors"], "requests": ours["requests"],
        "baseline_rps": base["rps"], "baseline_p50_ms": base["p50_ms"],
        "baseline_p99_ms": base["p99_ms"],
        "ratio": round(ours["rps"] / base["rps"], 3) if base["rps"] else None,
        "target_ratio": 0.3, "endpoint": "GET /api/v1/jobs", "page_size": PAGE,
        "jobs": args.jobs, "concurrency": args.concurrency, "duration_s": args.duration_s,
        "rounds": args.rounds,
        "ranked_rps": ranked["rps"], "ranked_p50_ms": ranked["p50_ms"],
        "ranked_p99_ms": ranked["p99_ms"], "ranked_errors": ranked["errors"],
        "ranked_requests": ranked["requests"],
        "ranked_ratio": round(ranked["rps"] / base["rps"], 3) if base["rps"] else None,
        "ranked_endpoint": "GET /api/v1/jobs/{id}/candidates", "ranked_jobs": len(ranked_jobs),
        "ranked_candidates_per_job": args.candidates,
        "log_level": args.log_level, "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=5000, help="jobs in the read model")
    parser.add_argument("--candidates", type=int, default=1000,
                        help="scored candidates per job of the ranked list")
    parser.add_argument("--ranked-jobs", type=int, default=5,
                        help="employer jobs the ranked list's load spreads over")
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
        log(f"seeding {args.ranked_jobs} employer jobs x {args.candidates} ranked candidates")
        recruiter, ranked_jobs = seed_ranked(database_url, args.ranked_jobs, args.candidates)
        result = asyncio.run(measure(database_url, redis_url, args, recruiter, ranked_jobs))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
