"""docs/capacity.md's tables, rendered from the capacity model: `python -m bench.capacity_tables`.

A test holds the document to these: when a figure or an assumption changes, the tables are
printed again and pasted in."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bench.capacity_model import (
    ASSUME,
    MEASURED,
    Load,
    cost,
    load,
    lock_hours_per_day,
    machines,
    partitions,
    peak_cores,
    replicas,
    resume_path_cpu_s,
    reviewers_on_shift,
    storage,
)
from schemas.events.registry import EVENT_TYPES, topics_in_use

SCALES = (1, 10, 100)


def _number(value: float) -> str:
    """Three significant figures at most, thousands separated."""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    if abs(value) >= 0.01:
        return f"{value:.2f}"
    return f"{value:.2g}"


def _table(rows: Sequence[tuple[str, Callable[[Load], str]]]) -> str:
    loads = [load(scale) for scale in SCALES]
    lines = ["| | " + " | ".join(f"{scale}\u00d7" for scale in SCALES) + " |",
             "|---|" + "---|" * len(SCALES)]
    lines += [f"| {name} | " + " | ".join(cell(work) for work in loads) + " |"
              for name, cell in rows]
    return "\n".join(lines)


def workload_table() -> str:
    return _table([
        ("raw posts a day", lambda w: _number(w.posts_per_day)),
        ("unique jobs a day", lambda w: _number(w.unique_jobs_per_day)),
        ("candidates", lambda w: _number(w.candidates)),
        ("pairs scored per new job", lambda w: _number(w.pairs_per_job)),
        ("pairs a day (new jobs)", lambda w: _number(w.job_pairs_per_day)),
        ("pairs a second, average", lambda w: _number(w.average_pairs_per_s)),
        ("pairs a second, busiest hour", lambda w: _number(w.peak_pairs_per_s)),
        ("pairs a second, busiest hour, had every job met every candidate",
         lambda w: _number(w.peak_pairs_per_s_unselected)),
        ("posts a second, busiest hour", lambda w: _number(w.peak_posts_per_s)),
        ("open jobs", lambda w: _number(w.open_jobs)),
        ("new resume versions a day", lambda w: _number(w.resume_versions_per_day)),
        ("pairs a day (new resumes, every open job)",
         lambda w: _number(w.resume_pairs_per_day)),
        (f"pairs a day (new resumes, {ASSUME.job_preselect_per_resume:,} nearest jobs)",
         lambda w: _number(w.resume_pairs_per_day_preselected)),
        ("applications a day", lambda w: _number(w.applications_per_day)),
        ("review tasks a day", lambda w: _number(w.reviews_per_day)),
        (f"reviewers on shift ({ASSUME.review_minutes:.0f} min a task, "
         f"{ASSUME.reviewer_hours_per_day:.0f} h a day)",
         lambda w: _number(reviewers_on_shift(w))),
    ])


def compute_table() -> str:
    def cores(part: str) -> Callable[[Load], str]:
        return lambda w: _number(getattr(peak_cores(w), part))

    def count(part: str, minimum: int = 2) -> Callable[[Load], str]:
        return lambda w: str(replicas(getattr(peak_cores(w), part), minimum))

    return _table([
        ("ATS engine cores, busiest hour", cores("ats_engine")),
        ("other services and servers, cores", cores("rest")),
        ("application bot cores", cores("application_bot")),
        ("all cores, busiest hour", cores("total")),
        ("ATS engine replicas", count("ats_engine")),
        ("application bot replicas (4 contexts each)", count("application_bot")),
        (f"{ASSUME.cores_per_machine}-core machines at "
         f"{ASSUME.target_utilisation:.0%} busy",
         lambda w: str(machines(peak_cores(w).total))),
    ])


def topics_table() -> str:
    def parts(topic: Callable[[Load], int]) -> Callable[[Load], str]:
        return lambda w: str(topic(w))

    return _table([
        ("`jobs.raw` (key `source_job_key`; job discovery)",
         parts(lambda w: partitions(replicas(peak_cores(w).rest)))),
        ("`jobs.new` (key `job_id`; ATS engine)",
         parts(lambda w: partitions(replicas(peak_cores(w).ats_engine)))),
        ("`matches.decisions` (key `batch_id`; bot, workflow, gateway, analytics)",
         parts(lambda w: partitions(max(replicas(peak_cores(w).application_bot),
                                        replicas(peak_cores(w).rest))))),
        ("`resumes.versions` (key `candidate_id`; ATS engine)",
         parts(lambda w: partitions(replicas(peak_cores(w).ats_engine)))),
    ])


def keys_table() -> str:
    """Every topic's partition keys, from the event registry."""
    keys: dict[str, set[str]] = {}
    for model in EVENT_TYPES:
        keys.setdefault(model.TOPIC, set()).add(model.KEY_FIELD)
    rows = [f"| `{topic}` | {', '.join(f'`{key}`' for key in sorted(keys[topic]))} |"
            for topic in topics_in_use()]
    return "\n".join(["| topic | key |", "|---|---|", *rows])


def storage_table() -> str:
    return _table([
        (f"match rows and the outbox rows that carried them, kept "
         f"{ASSUME.matches_kept_days:.0f} days (GB)",
         lambda w: _number(storage(w).matches_gb)),
        ("jobs, chunk vectors, inbox, read models (GB)",
         lambda w: _number(storage(w).jobs_gb)),
        ("candidate vectors with their HNSW index (MB)",
         lambda w: _number(storage(w).candidate_vectors_mb)),
        ("match rows written a second, busiest hour",
         lambda w: _number(storage(w).peak_match_rows_per_s)),
    ])


def limits_table() -> str:
    return _table([
        ("CPU seconds to take in one new resume version (every open job)",
         lambda w: _number(resume_path_cpu_s(w.open_jobs))),
        ("hours a day the exclusive scoring lock is held for them",
         lambda w: _number(lock_hours_per_day(w))),
    ])


def cost_table() -> str:
    return _table([
        ("CPU seconds per 1,000 decisions", lambda w: _number(cost(w).cpu_s_per_1000_decisions)),
        (f"US$ per 1,000 decisions at ${ASSUME.price_per_core_hour} a core-hour",
         lambda w: f"{cost(w).usd_per_1000_decisions:.5f}"),
    ])


def inputs_table() -> str:
    m = MEASURED
    rows = [
        ("scoring CPU per pair (stage one, the full scorer for what it leaves)",
         f"{m.scoring_cpu_s_per_pair * 1e6:.0f} µs"),
        ("ATS engine CPU per raw post at 20 candidates (bench-capacity)",
         f"{m.ats_cpu_s_per_post:.3f} s"),
        ("other services and servers, CPU per raw post (bench-capacity)",
         f"{m.rest_cpu_s_per_post:.3f} s"),
        ("parsing one job post (bench-capacity)", f"{m.parse_job_cpu_s * 1e3:.1f} ms"),
        ("one application in Chromium (bench-bot)", f"{m.apply_cpu_s:.2f} s"),
        ("applications, review tasks per unique job (bench-e2e world)",
         f"{m.applications_per_job:.2f}, {m.reviews_per_job:.2f}"),
        ("database bytes per decision, per post (bench-capacity)",
         f"{m.db_bytes_per_decision:,.0f}, {m.db_bytes_per_post:,.0f}"),
    ]
    return "\n".join(["| input | value |", "|---|---|"]
                     + [f"| {name} | {value} |" for name, value in rows])


TABLES: dict[str, Callable[[], str]] = {
    "inputs": inputs_table, "workload": workload_table, "compute": compute_table,
    "topics": topics_table, "keys": keys_table, "storage": storage_table, "limits": limits_table,
    "cost": cost_table,
}


def main() -> None:
    for name, render in TABLES.items():
        print(f"<!-- table: {name} -->\n{render()}\n")


if __name__ == "__main__":
    main()
