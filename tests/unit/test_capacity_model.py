"""The capacity model's arithmetic, the CPU accounting bench-capacity feeds it, and
docs/capacity.md's tables against the model they are rendered from."""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path

import pytest

from bench.capacity_model import (
    Assumptions,
    Calibration,
    Measured,
    calibrate,
    capacity,
    cost,
    forecast_burst,
    load,
    lock_hours_per_day,
    machines,
    partitions,
    peak_cores,
    relative_error,
    replicas,
    resume_path_cpu_s,
    reviewers_on_shift,
    storage,
)
from bench.capacity_tables import TABLES
from bench.cpu_watch import OTHER, Sample, window_cpu
from bench.proc_cpu import (
    ProcessTimes,
    _parse_stat,
    process_table,
    serves,
    tree,
    tree_cpu_s,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "capacity.md"


def test_calibration_is_each_part_per_post_and_how_busy_the_drain_kept_the_cores() -> None:
    calibration = calibrate({"ats": 6.0, "servers": 3.0}, {"ats": 2.0}, posts=30, lead_s=1.5,
                            window_s=7.5, cores=2)
    assert calibration.cpu_s_per_post == {"ats": 0.2, "servers": 0.1}
    assert calibration.loop_s_per_post == {"ats": 2.0 / 30}
    assert calibration.lead_s == 1.5
    # 9 CPU seconds over 2 cores for the 6 s after the lead: three quarters busy.
    assert calibration.busy_share == pytest.approx(0.75)
    # Its own load is then forecast as measured: 30 posts drained in 6 s.
    forecast = forecast_burst(calibration, posts=30, unique_jobs=21, cores=2)
    assert forecast.window_s == pytest.approx(7.5)
    busier = calibrate({"ats": 60.0}, {}, posts=30, lead_s=1.0, window_s=7.0, cores=2,
                       intake_s=4.2, unique_jobs=21)
    assert busier.busy_share == 1.0
    assert busier.intake_s_per_job == pytest.approx(0.2)


def test_jobs_that_come_in_later_wait_for_fewer_ahead_of_them() -> None:
    # 100 posts drain in 50 s; the 70 jobs came in over 14 s: the p99 job waits 36 s of it.
    calibration = Calibration({"a": 1.0}, {}, lead_s=2.0, intake_s_per_job=0.2)
    forecast = forecast_burst(calibration, posts=100, unique_jobs=70, cores=2)
    assert forecast.window_s == pytest.approx(52.0)
    assert forecast.decision_p99_s == pytest.approx(2.0 + 36.0)
    # An intake slower than the drain leaves no queue: a job waits only the lead time.
    slow = dataclasses.replace(calibration, intake_s_per_job=1.0)
    assert forecast_burst(slow, posts=100, unique_jobs=70, cores=2).decision_p99_s == 2.0


def test_the_machine_bounds_a_burst_when_no_loop_is_slower() -> None:
    # 1 CPU second a post over 2 cores: 0.5 s a post; the loop's 0.3 s is not the limit.
    calibration = Calibration({"a": 0.5, "b": 0.5}, {"a": 0.3}, lead_s=2.0)
    assert capacity(calibration, cores=2) == (2.0, "machine")
    forecast = forecast_burst(calibration, posts=10, unique_jobs=7, cores=2)
    assert forecast.window_s == pytest.approx(2.0 + 5.0)
    assert forecast.jobs_per_s == pytest.approx(10 / 7.0)
    # The p99 of 7 jobs is the last one: decided at the end of the drain.
    assert forecast.decision_p99_s == pytest.approx(7.0)


def test_one_event_loop_bounds_a_burst_when_the_cores_are_many() -> None:
    calibration = Calibration({"a": 0.5, "b": 0.5}, {"a": 0.4, "b": 0.1}, lead_s=1.0)
    rate, bottleneck = capacity(dataclasses.replace(calibration, busy_share=0.5), cores=2)
    assert rate == pytest.approx(1.0)
    assert bottleneck == "machine"
    rate, bottleneck = capacity(calibration, cores=16)
    assert rate == pytest.approx(2.5)
    assert bottleneck == "a event loop"
    forecast = forecast_burst(calibration, posts=500, unique_jobs=350, cores=16)
    drain = 500 / 2.5
    assert forecast.window_s == pytest.approx(1.0 + drain)
    assert forecast.decision_p99_s == pytest.approx(1.0 + math.ceil(346.5) / 350 * drain)


def test_relative_error_is_signed_against_the_measurement() -> None:
    assert relative_error(4.0, 5.0) == pytest.approx(0.25)
    assert relative_error(4.0, 3.0) == pytest.approx(-0.25)


MEASURED = Measured(stage_one_pairs_per_s=100_000.0, full_pairs_per_s=2_000.0,
                    stage_one_decided_share=0.5, bot_applications_per_min=240.0,
                    e2e_unique_jobs=700, e2e_applications=350, e2e_reviews=210,
                    ats_cpu_s_per_post=0.1, rest_cpu_s_per_post=0.2, capacity_candidates=20,
                    parse_job_cpu_s=0.02, db_bytes_per_decision=500.0,
                    db_bytes_per_post=10_000.0)
ASSUME = Assumptions(posts_per_day_1x=1_000.0, candidates_1x=200, duplicate_share=0.3,
                     preselect=200, open_days=30.0, matches_kept_days=120.0,
                     resume_versions_per_candidate_day=0.1, job_preselect_per_resume=2_000,
                     peak_factor=3.0, target_utilisation=0.5, price_per_core_hour=0.05,
                     review_minutes=10.0, reviewer_hours_per_day=7.0,
                     cores_per_machine=16)


def test_a_day_of_work_grows_with_the_scale_and_pairs_per_job_stop_at_preselection() -> None:
    work = load(10, MEASURED, ASSUME)
    assert work.posts_per_day == 10_000
    assert work.unique_jobs_per_day == pytest.approx(7_000)
    assert work.candidates == 2_000
    assert work.pairs_per_job == 200  # 2,000 candidates, 200 preselected
    assert work.job_pairs_per_day == pytest.approx(1_400_000)
    assert work.open_jobs == pytest.approx(210_000)
    assert work.resume_versions_per_day == pytest.approx(200)
    assert work.resume_pairs_per_day == pytest.approx(200 * 210_000)
    assert work.resume_pairs_per_day_preselected == pytest.approx(200 * 2_000)
    assert work.applications_per_day == pytest.approx(7_000 * 0.5)
    assert work.reviews_per_day == pytest.approx(7_000 * 0.3)
    assert work.peak_posts_per_s == pytest.approx(10_000 / 86_400 * 3)
    assert work.peak_pairs_per_s == pytest.approx(1_400_000 / 86_400 * 3)
    assert work.peak_pairs_per_s_unselected == pytest.approx(7_000 * 2_000 / 86_400 * 3)
    # 2,100 tasks of 10 minutes in 7-hour days: 50 people.
    assert reviewers_on_shift(work, ASSUME) == pytest.approx(2_100 * 10 / 420)
    assert load(1, MEASURED, dataclasses.replace(ASSUME, candidates_1x=50)).pairs_per_job == 50


def test_scoring_cost_per_pair_and_the_cores_a_busy_hour_needs() -> None:
    # Stage one for every pair, the full scorer for the half it leaves.
    assert MEASURED.scoring_cpu_s_per_pair == pytest.approx(1e-5 + 0.5 / 2_000)
    assert MEASURED.apply_cpu_s == pytest.approx(0.5)
    work = load(10, MEASURED, ASSUME)
    cores = peak_cores(work, MEASURED)
    # The ATS's measured 0.1 s at 20 candidates, plus 180 more pairs for 0.7 of the posts.
    ats_per_post = 0.1 + 180 * MEASURED.scoring_cpu_s_per_pair * 0.7
    assert cores.ats_engine == pytest.approx(work.peak_posts_per_s * ats_per_post)
    assert cores.rest == pytest.approx(work.peak_posts_per_s * 0.2)
    assert cores.application_bot == pytest.approx(3_500 / 86_400 * 3 * 0.5)
    assert cores.total == pytest.approx(cores.ats_engine + cores.rest + cores.application_bot)


def test_replicas_machines_and_partitions_round_up_with_room() -> None:
    assert replicas(0.01, assume=ASSUME) == 2  # two at least, one may be lost
    assert replicas(2.2, assume=ASSUME) == 5  # 2.2 cores at half busy
    assert machines(7.9, ASSUME) == 1
    assert machines(8.1, ASSUME) == 2
    assert partitions(2) == 12
    assert partitions(7) == 24  # twice the consumers, in steps of 12
    assert partitions(12) == 24


def test_the_resume_path_parses_and_scores_every_open_job_under_the_lock() -> None:
    per_version = resume_path_cpu_s(210_000, MEASURED)
    assert per_version == pytest.approx(210_000 * (0.02 + 1 / 2_000))
    work = load(10, MEASURED, ASSUME)
    assert lock_hours_per_day(work, MEASURED) == pytest.approx(200 * per_version / 3600)


def test_storage_and_cost_follow_the_measured_bytes_and_cpu() -> None:
    work = load(10, MEASURED, ASSUME)
    kept = storage(work, MEASURED, ASSUME)
    assert kept.matches_gb == pytest.approx(1_400_000 * 120 * 500 / 1e9)
    assert kept.jobs_gb == pytest.approx(7_000 * 120 * 10_000 / 1e9)
    assert kept.candidate_vectors_mb == pytest.approx(2_000 * (1_544 + 64 + 1_544 + 192) / 1e6)
    spent = cost(work, MEASURED, ASSUME)
    ats_per_post = 0.1 + 180 * MEASURED.scoring_cpu_s_per_pair * 0.7
    cpu = 10_000 * (ats_per_post + 0.2) + 3_500 * 0.5
    assert spent.cpu_s_per_1000_decisions == pytest.approx(cpu / 1_400_000 * 1000)
    assert spent.usd_per_1000_decisions == pytest.approx(cpu / 1_400_000 * 1000 / 3600 * 0.05)


def test_the_document_holds_the_tables_the_model_renders() -> None:
    text = DOC.read_text()
    for name, render in TABLES.items():
        assert f"<!-- table: {name} -->\n{render()}\n" in text, \
            f"docs/capacity.md's {name} table is stale: python -m bench.capacity_tables"


def test_cpu_in_a_window_is_read_between_samples() -> None:
    samples = [Sample(10.0, {"ats": 0.0, "servers": 0.0}, {"ats": 0.0}, busy_s=0.0),
               Sample(12.0, {"ats": 2.0, "servers": 1.0}, {"ats": 1.0}, busy_s=4.0),
               Sample(14.0, {"ats": 2.0, "servers": 3.0}, {"ats": 1.0}, busy_s=6.0)]
    used = window_cpu(samples, start=11.0, end=13.0)
    assert used.cpu_s["ats"] == pytest.approx(1.0)
    assert used.cpu_s["servers"] == pytest.approx(1.5)
    # The machine was busy 3 CPU seconds in that window: what is not ours is someone else's.
    assert used.cpu_s[OTHER] == pytest.approx(0.5)
    assert used.loop_s["ats"] == pytest.approx(0.5)


def test_proc_stat_lines_with_odd_commands_and_trees() -> None:
    line = "4242 (tricky ) name) S 7 4242 4242 0 -1 0 0 0 0 0 150 50 10 0 20 0 1 0 100 0 0"
    pid, command, ppid, cpu_s = _parse_stat(line)
    assert (pid, command, ppid) == (4242, "tricky ) name", 7)
    assert cpu_s == pytest.approx(210 / os.sysconf("SC_CLK_TCK"))
    table = {1: ProcessTimes(1, 0, "init", 1.0), 2: ProcessTimes(2, 1, "svc", 2.0),
             3: ProcessTimes(3, 2, "chromium", 4.0), 4: ProcessTimes(4, 1, "other", 8.0)}
    assert sorted(tree(table, 2)) == [2, 3]
    assert tree_cpu_s(table, 2) == pytest.approx(6.0)
    assert os.getpid() in process_table()


def test_postgres_backends_of_other_databases_are_not_the_runs() -> None:
    assert serves("postgres: postgres e2e_run [local] idle", "e2e_run")
    assert serves("postgres: jams e2e_run 127.0.0.1(5432) SELECT", "e2e_run")
    assert not serves("postgres: postgres jams [local] DROP DATABASE", "e2e_run")
    assert serves("postgres: checkpointer", "e2e_run")
    assert serves("postgres: logical replication launcher", "e2e_run")
    assert serves("/usr/lib/postgresql/bin/postgres -D /data", "e2e_run")
