"""The labelled set of duplicate and distinct posting pairs (`tests/data/dedup_pairs.jsonl`).

`python -m bench.data.dedup_pairs [--seed 7] [--out tests/data/dedup_pairs.jsonl]`. The
committed set was written with seed 7; thresholds were chosen on seed 1, never on it.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.data.postings import SOURCES, Job, another_team, make_job, payload
from bench.data.vocabulary import CITIES, COMPANIES, ROLES

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "dedup_pairs.jsonl"
Pair = tuple[dict[str, Any], dict[str, Any]]


class _Ids:
    def __init__(self) -> None:
        self.next = 1000

    def __call__(self) -> str:
        self.next += 1
        return str(self.next)


def _two_sources(rng: random.Random) -> tuple[str, str]:
    a, b = rng.sample(SOURCES, 2)
    return a, b


def _repost(style: str) -> Callable[[random.Random, _Ids], Pair]:
    def make(rng: random.Random, ids: _Ids) -> Pair:
        job = make_job(rng)
        a, b = _two_sources(rng)
        return (payload(job, source=a, external_id=ids()),
                payload(job, source=b, external_id=ids(), rng=rng, style=style))
    return make


def _other_title_spelling(rng: random.Random, ids: _Ids) -> Pair:
    # Hard positives: a title spelling the normaliser does not fold ("SRE").
    job = make_job(rng, seniority="")
    a, b = _two_sources(rng)
    other = payload(job, source=b, external_id=ids(), rng=rng, style="copy")
    other["title"] = rng.choice(ROLES[job.role]["titles"][1:])
    return payload(job, source=a, external_id=ids()), other


def _distinct(change: Callable[[Job, random.Random], Job]) -> Callable[[random.Random, _Ids], Pair]:
    def make(rng: random.Random, ids: _Ids) -> Pair:
        job = make_job(rng)
        a, b = _two_sources(rng)
        return (payload(job, source=a, external_id=ids()),
                payload(change(job, rng), source=b, external_id=ids(), rng=rng,
                        style=rng.choice(["original", "copy", "footer"])))
    return make


def _other_seniority(job: Job, rng: random.Random) -> Job:
    levels = [s for s in ("", "Senior ", "Staff ", "Principal ") if s != job.seniority]
    other = make_job(rng, company=job.company, role=job.role, seniority=rng.choice(levels),
                     team=job.team, city=job.city)
    return replace(other, intro=job.intro, benefits=job.benefits)


def _other_role(job: Job, rng: random.Random) -> Job:
    role = rng.choice([r for r in ROLES if r != job.role])
    return make_job(rng, company=job.company, role=role, city=job.city)


def _other_company(job: Job, rng: random.Random) -> Job:
    company = rng.choice([c for c in range(len(COMPANIES)) if c != job.company])
    return make_job(rng, company=company, role=job.role, seniority=job.seniority,
                    team=job.team, city=job.city)


def _same_advert_other_company(job: Job, rng: random.Random) -> Job:
    # A recruitment agency's template: the same words, another employer.
    company = rng.choice([c for c in range(len(COMPANIES)) if c != job.company])
    return replace(job, company=company)


def _other_city(job: Job, rng: random.Random) -> Job:
    # One advert posted for several offices: identical text, different openings.
    return replace(job, city=rng.choice([c for c in range(len(CITIES)) if c != job.city]))


KINDS: dict[str, tuple[bool, int, Callable[[random.Random, _Ids], Pair]]] = {
    "same job, copied with other spellings": (True, 50, _repost("copy")),
    "same job, reworded by a recruiter": (True, 50, _repost("reworded")),
    "same job, truncated by an aggregator": (True, 30, _repost("truncated")),
    "same job, with an aggregator's footer": (True, 30, _repost("footer")),
    "same job, listed without its description": (True, 25, _repost("missing")),
    "same job, a title spelling not folded": (True, 10, _other_title_spelling),
    "same employer, title and place; another team": (False, 70, _distinct(another_team)),
    "same employer and team; another seniority": (False, 30, _distinct(_other_seniority)),
    "same employer and place; another role": (False, 20, _distinct(_other_role)),
    "same title and place; another employer": (False, 30, _distinct(_other_company)),
    "same advert text; another employer": (False, 20, _distinct(_same_advert_other_company)),
    "same advert; another city": (False, 30, _distinct(_other_city)),
}


def pairs(seed: int) -> Iterator[dict[str, Any]]:
    """Every labelled pair of the set drawn with `seed`."""
    rng, ids, number = random.Random(seed), _Ids(), 0
    for kind, (duplicate, count, make) in KINDS.items():
        for _ in range(count):
            number += 1
            a, b = make(rng, ids)
            yield {"id": f"pair-{number:04d}", "kind": kind, "duplicate": duplicate,
                   "a": a, "b": b}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    rows = list(pairs(args.seed))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"wrote {len(rows)} pairs to {args.out}")


if __name__ == "__main__":
    main()
