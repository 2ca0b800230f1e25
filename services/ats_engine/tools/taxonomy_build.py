"""Build the skills taxonomy file from O*NET technology skills plus the curated aliases."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from services.ats_engine.skills import TAXONOMY_FILE
from services.ats_engine.tools.taxonomy_curated import (
    CASE_SENSITIVE,
    CURATED,
    NEEDS_CONTEXT,
    ONET_ORDINARY,
)
from services.ats_engine.tools.taxonomy_relations import ALTERNATIVES, SHOWN_BY

OUTPUT = TAXONOMY_FILE
SCHEMA_VERSION = 1
ATTRIBUTION = (
    "This includes information from the O*NET Database by the U.S. Department of Labor, "
    "Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 license."
)
VENDORS = frozenset({
    "Microsoft", "Oracle", "Adobe", "Apache", "Amazon", "Google", "IBM", "SAP", "Autodesk",
    "Atlassian", "Intuit", "Apple", "Cisco", "Salesforce", "Dassault", "Siemens", "Bentley",
    "Esri", "Red", "VMware", "Hewlett", "HP", "Corel", "Epic", "Cerner", "Sage", "Infor",
})
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,7}$")
# Common words that a vendor-stripped product name can collapse to: never an alias alone.
_COMMON = frozenset({
    "access", "word", "project", "teams", "outlook", "office", "publisher", "visio",
    "dynamics", "works", "notes", "paint", "sheets", "docs", "drive", "forms", "sites",
    "express", "server", "cloud", "analytics", "data", "database", "studio", "one",
    "suite", "connect", "mail", "calendar", "photos", "maps", "translate", "meet",
    "keep", "classroom", "search", "business", "enterprise", "system", "manager", "reader",
    "acrobat", "bridge", "animate", "audition", "premiere", "director", "dreamweaver",
    "lightroom", "muse", "flash", "contribute", "captivate", "presenter", "fireworks",
    "windows", "edge", "explorer", "lync", "skype", "stream", "planner", "to", "do",
    "health", "care", "fusion", "design", "map", "view", "plant", "vault", "inventor",
    "civil", "3d", "go", "r", "c", "apps", "app", "net", "home", "pay", "web",
})


_SMALL = frozenset({"of", "and", "for", "the", "to", "in", "on", "&"})


def _clean(name: str) -> str:
    return re.sub(r"\s+software$", "", name.strip())


def _generic(example: str, name: str) -> bool:
    """'Project planning software': a category, not a product anyone names in a resume."""
    return not any(ch.isupper() or ch.isdigit() for ch in name[1:])


def _expands(words: list[str], acronym: str) -> bool:
    """'Structured query language SQL': the last word abbreviates the words before it."""
    if not _ACRONYM.match(acronym):
        return False
    initials = "".join(w[0] for w in words).upper()
    content = "".join(w[0] for w in words if w.lower() not in _SMALL).upper()
    return acronym.replace("&", "") in (initials, content)


def build(tsv: Path) -> dict[str, Any]:
    """The taxonomy document; deterministic for the same input."""
    occupations: dict[str, set[str]] = defaultdict(set)
    hot: dict[str, bool] = defaultdict(bool)
    with tsv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            occupations[row["Example"]].add(row["O*NET-SOC Code"])
            hot[row["Example"]] |= row["Hot Technology"] == "Y"
    total_occupations = len({soc for socs in occupations.values() for soc in socs})

    skills: dict[str, dict[str, Any]] = {}
    owner: dict[str, str] = {}  # lower-cased alias -> canonical name
    case_sensitive = set(CASE_SENSITIVE)

    def claim(alias: str, canonical: str) -> None:
        key = alias.lower()
        if key and key not in owner:
            owner[key] = canonical
            if alias != canonical:
                skills[canonical]["aliases"].append(alias)

    for name, (category, aliases) in CURATED.items():
        skills[name] = {"name": name, "category": category, "aliases": [], "occupations": set(),
                        "hot": False, "source": "curated"}
        claim(name, name)
        for alias in aliases:
            claim(alias, name)

    for example in sorted(occupations, key=lambda e: (-len(occupations[e]), e)):
        name = _clean(example)
        if not name or _generic(example, name):
            continue
        words = name.split()
        acronym = words[-1] if len(words) > 1 and _expands(words[:-1], words[-1]) else None
        candidates = [name, *([acronym, " ".join(words[:-1])] if acronym else [])]
        existing = next((owner[c.lower()] for c in candidates if c.lower() in owner), None)
        canonical = existing or name
        if existing is None:
            skills[name] = {"name": name, "category": "technology", "aliases": [],
                            "occupations": set(), "hot": False, "source": "onet"}
            claim(name, name)
        skills[canonical]["occupations"] |= occupations[example]
        skills[canonical]["hot"] |= hot[example]
        claim(example, canonical)
        claim(name, canonical)
        if acronym:
            claim(" ".join(words[:-1]), canonical)
            if existing is None and len(acronym) >= 3:
                claim(acronym, canonical)
                case_sensitive.add(acronym)  # "FAST" the tool is not "fast" the word
        if words[0] in VENDORS and len(words) > 1 and not acronym:
            rest = " ".join(words[1:])
            # "Midwest Mechanical" is a company, not Autodesk Mechanical.
            if rest.lower() not in _COMMON and rest not in ONET_ORDINARY and len(rest) >= 4:
                claim(rest, canonical)
                if " " not in rest:
                    case_sensitive.add(rest)

    documents = []
    for skill in sorted(skills.values(), key=lambda s: s["name"].lower()):
        count = len(skill["occupations"])
        # Rare, specific terms weigh more: inverse share of occupations that list the tool.
        spread = count if count else 5
        specificity = 1 + math.log(total_occupations / spread) / math.log(total_occupations)
        documents.append({
            "name": skill["name"], "category": skill["category"],
            "aliases": sorted(set(skill["aliases"])), "occupations": count,
            "hot": skill["hot"], "specificity": round(specificity, 3),
        })
    for document in documents:  # one-word product names are proper nouns: match them as such
        if " " not in document["name"] and document["name"] not in CURATED:
            case_sensitive.add(document["name"])
    body = {"skills": documents, "case_sensitive": sorted(case_sensitive),
            "needs_context": sorted(NEEDS_CONTEXT), **relations(set(skills))}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]
    return {"schema": SCHEMA_VERSION, "version": f"onet+curated-{digest}",
            "attribution": ATTRIBUTION, **body}


def relations(names: set[str]) -> dict[str, Any]:
    """What each skill shows of broader ones, and the groups of alternative tools; a name the
    taxonomy does not hold is a mistake in the hand-kept lists, never silently dropped."""
    unknown = sorted({name for broad, specific in SHOWN_BY.items() for name in (broad, *specific)
                      if name not in names} | {n for group in ALTERNATIVES for n in group
                                                if n not in names})
    if unknown:
        raise ValueError(f"taxonomy_relations names skills the taxonomy lacks: {unknown}")
    broader: dict[str, set[str]] = defaultdict(set)
    for broad, specific in SHOWN_BY.items():
        for name in specific:
            broader[name].add(broad)
    return {"broader": {name: sorted(b) for name, b in sorted(broader.items())},
            "alternatives": [sorted(group) for group in ALTERNATIVES]}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="Build data/skills.json from O*NET's "
                                     "technology_skills.tsv and the curated list")
    parser.add_argument("tsv", type=Path, help="O*NET technology_skills.tsv (CC BY 4.0)")
    document = build(parser.parse_args(argv).tsv)
    OUTPUT.write_text(json.dumps(document, indent=0, ensure_ascii=False) + "\n")
    print(f"{len(document['skills'])} skills, version {document['version']} -> {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
