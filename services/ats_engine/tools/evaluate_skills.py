"""Skill extraction against a labelled set of mentions written blind: recall, precision and
false friends per occupation.

    python -m services.ats_engine.tools.evaluate_skills [FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.ats_engine.skills import Taxonomy, default_taxonomy
from services.ats_engine.tools.evaluate import load_lines

DEFAULT_SET = Path("tests/data/skill_mentions.jsonl")


class Mention(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    occupation: str
    text: str
    skills: list[str]
    not_skills: list[str] = []


def split(mentions: list[Mention]) -> tuple[list[Mention], list[Mention]]:
    """(dev, test), fixed once: within each occupation, lines in sha256 order of their id, the
    first half to dev. Aliases and phrases are tuned on dev only."""
    by_occupation: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_occupation[mention.occupation].append(mention)
    dev: list[Mention] = []
    test: list[Mention] = []
    for group in by_occupation.values():
        ordered = sorted(group, key=lambda m: hashlib.sha256(m.id.encode()).hexdigest())
        dev += ordered[: (len(ordered) + 1) // 2]
        test += ordered[(len(ordered) + 1) // 2:]
    return dev, test


def figures(mentions: list[Mention], taxonomy: Taxonomy) -> dict[str, Any]:
    """Recall (labelled skills found, unknown names counting as missed), precision (found
    skills the label names) and false friends found, overall and per occupation."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for mention in mentions:
        found = taxonomy.extract(mention.text)
        wanted = {taxonomy.canonical(name) or f"?{name}" for name in mention.skills}
        friends = {taxonomy.canonical(name) for name in mention.not_skills} - {None} - wanted
        for key in ("all", mention.occupation):
            row = tally[key]
            row[0] += len(wanted & found)
            row[1] += len(wanted)
            row[2] += len(found & wanted)
            row[3] += len(found)
            row[4] += len(found & friends)
    return {key: {"recall": round(r[0] / r[1], 3) if r[1] else None,
                  "precision": round(r[2] / r[3], 3) if r[3] else None,
                  "false_friends": r[4], "labelled": r[1]} for key, r in tally.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", default=str(DEFAULT_SET))
    args = parser.parse_args(argv)
    try:
        mentions = load_lines(Path(args.file), Mention)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    dev, test = split(mentions)
    taxonomy = default_taxonomy()
    halves = {"dev": figures(dev, taxonomy), "test": figures(test, taxonomy)}
    print(f"{'':<28}{'dev':^34}{'test':^34}", file=sys.stderr)
    print(f"{'occupation':<28}" + f"{'recall':>8}{'precision':>11}{'false friends':>15}" * 2,
          file=sys.stderr)
    for key in sorted(halves["test"], key=lambda k: (k != "all", k)):
        cells = ""
        for half in ("dev", "test"):
            row = halves[half].get(key, {"recall": None, "precision": None, "false_friends": 0})
            cells += f"{row['recall']!s:>8}{row['precision']!s:>11}{row['false_friends']:>15}"
        print(f"{key:<28}{cells}", file=sys.stderr)
    print(json.dumps({half: result["all"] for half, result in halves.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
