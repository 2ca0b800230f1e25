"""Labelled pairs written by hand apart from the dedup code (`tests/data/dedup_pairs_blind.jsonl`).

`python -m bench.data.blind_pairs --from DIR [--out tests/data/dedup_pairs_blind.jsonl]`
reads every `pairs-*.jsonl` in DIR (each pair: `id`, `kind`, `duplicate`, `reason`,
`occupation`, postings `a` and `b` without their keys), gives each posting the keys a
JobDiscovered carries, and writes them with their split. A pair's split depends on its id
alone, so pairs added later never move an earlier pair from one split to the other: rules are
tuned on `dev` only, and `test` says how they do on pairs they were not tuned on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "tests" / "data" / "dedup_pairs_blind.jsonl"
Split = Literal["dev", "test"]


def split_of(pair_id: str) -> Split:
    """Half the pairs for tuning, half held out, by a hash of the id that never changes."""
    return "dev" if hashlib.blake2b(pair_id.encode(), digest_size=8).digest()[0] % 2 else "test"


def _posting(raw: dict[str, Any]) -> dict[str, Any]:
    key = f"{raw['source']}:{raw['external_id']}"
    return {"source_job_key": key, **raw, "raw_document_id": key, "run_id": None}


def shaped(pair: dict[str, Any]) -> dict[str, Any]:
    """One hand-written pair in the shape of `dedup_pairs.jsonl`, with its split."""
    return {"id": pair["id"], "split": split_of(pair["id"]), "kind": pair["kind"],
            "duplicate": bool(pair["duplicate"]), "reason": pair.get("reason", ""),
            "occupation": pair.get("occupation", ""),
            "a": _posting(pair["a"]), "b": _posting(pair["b"])}


def read_pairs(files: Iterable[Path]) -> list[dict[str, Any]]:
    pairs = [json.loads(line) for path in files
             for line in path.read_text().splitlines() if line.strip()]
    ids = Counter(p["id"] for p in pairs)
    if repeated := [i for i, n in ids.items() if n > 1]:
        raise SystemExit(f"pair ids written twice: {repeated[:5]}")
    return sorted(pairs, key=lambda p: p["id"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.data.blind_pairs", description=__doc__)
    parser.add_argument("--from", dest="source", type=Path, required=True,
                        help="folder of pairs-*.jsonl files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    opts = parser.parse_args(argv)
    pairs = [shaped(p) for p in read_pairs(sorted(opts.source.glob("pairs-*.jsonl")))]
    opts.out.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs))
    counts = Counter((p["split"], p["duplicate"]) for p in pairs)
    print(f"{len(pairs)} pairs to {opts.out}: {dict(sorted(counts.items()))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
