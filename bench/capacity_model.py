"""The capacity model: plain arithmetic over figures measured on the development machine.

Two halves:
- a burst forecast by the operational laws (each part's CPU seconds per post, the cores the
  system has, one event loop per service process), which `make bench-capacity` calibrates on
  its smallest load and checks against the real services at the larger ones;
- a production plan (posts a day to pairs a second, replicas, partitions, storage, cost) from
  which docs/capacity.md's tables are rendered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

# --- the burst forecast -------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """What one raw post costs each part of the system, and the pipeline's own delay."""

    cpu_s_per_post: Mapping[str, float]  # every thread of the part's processes
    loop_s_per_post: Mapping[str, float]  # a service's event-loop thread: at most one core
    lead_s: float  # first post in to its job's last decision, with no queue ahead of it
    # The share of its cores the system kept busy while it drained the calibration burst:
    # hand-offs between processes and waits on the servers leave the rest idle.
    busy_share: float = 1.0
    # Seconds per job between the first job in and the last: a burst is scraped over a while,
    # so the last jobs in have fewer jobs ahead of them.
    intake_s_per_job: float = 0.0


@dataclass(frozen=True)
class BurstForecast:
    posts_per_s_capacity: float
    bottleneck: str
    window_s: float  # first post in to the last decision out
    jobs_per_s: float  # posts over the window
    decision_p99_s: float


def calibrate(cpu_s: Mapping[str, float], loop_s: Mapping[str, float], posts: int,
              lead_s: float, window_s: float, cores: float, intake_s: float = 0.0,
              unique_jobs: int = 1) -> Calibration:
    """Per-post demands from what each part used while `posts` went through in `window_s`
    on `cores`, how busy that kept the cores after the lead time, and how long the intake of
    its `unique_jobs` took."""
    draining_s = window_s - lead_s
    busy = sum(cpu_s.values()) / (cores * draining_s) if draining_s > 0 else 1.0
    return Calibration({part: s / posts for part, s in cpu_s.items()},
                       {part: s / posts for part, s in loop_s.items()}, lead_s,
                       min(1.0, busy), intake_s / unique_jobs)


def capacity(calibration: Calibration, cores: float) -> tuple[float, str]:
    """Posts a second the slower of two bounds allows: the machine (every part's CPU over the
    cores there are, as busy as calibration found them) or one event loop (a thread runs on
    one core at a time)."""
    machine = sum(calibration.cpu_s_per_post.values()) / (cores * calibration.busy_share)
    bounds = {"machine": machine}
    bounds.update({f"{part} event loop": s for part, s in calibration.loop_s_per_post.items()})
    bottleneck = max(bounds, key=lambda name: bounds[name])
    return 1.0 / bounds[bottleneck], bottleneck


def forecast_burst(calibration: Calibration, posts: int, unique_jobs: int,
                   cores: float) -> BurstForecast:
    """A burst's posts drain at capacity after the lead time. Jobs are decided in the order
    they came in: the k-th job waits for the k - 1 ahead of it, less the time it came in after
    the first, so the p99 job waits the drain less the intake up to it."""
    rate, bottleneck = capacity(calibration, cores)
    drain_s = posts / rate
    intake_s = unique_jobs * calibration.intake_s_per_job
    window_s = calibration.lead_s + drain_s
    rank = math.ceil(0.99 * unique_jobs) / unique_jobs
    return BurstForecast(rate, bottleneck, window_s, posts / window_s,
                         calibration.lead_s + rank * max(0.0, drain_s - intake_s))


def relative_error(measured: float, predicted: float) -> float:
    """(predicted - measured) / measured."""
    return (predicted - measured) / measured


# --- the production plan ------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """Figures of this repository's benches on the 2-core development machine."""

    # make bench-ats-decide, one core: stage one (every pair of a job at once) and the full
    # scorer; the share of pairs stage one decides alone (the rest go to the full scorer).
    stage_one_pairs_per_s: float = 122_940.1
    full_pairs_per_s: float = 2_410.7
    stage_one_decided_share: float = 0.44
    # make bench-e2e, full size: its unique jobs, and the applications and review tasks they
    # started.
    e2e_unique_jobs: int = 700
    e2e_applications: int = 353
    e2e_reviews: int = 212
    # make bench-bot: applications a minute, 4 browser contexts on 2 cores.
    bot_applications_per_min: float = 240.1
    # make bench-capacity, pooled over its loads (20 candidates): CPU seconds per post of the
    # ATS engine, and of the rest of the system but the bot (the other services and the dev
    # servers: PostgreSQL, Kafka, FerretDB, Valkey); the CPU of parsing one job post; database
    # bytes per decision (match tables and the outbox) and per post (every other table).
    ats_cpu_s_per_post: float = 0.1897
    rest_cpu_s_per_post: float = 0.5129
    capacity_candidates: int = 20
    parse_job_cpu_s: float = 0.02
    db_bytes_per_decision: float = 2_441.3
    db_bytes_per_post: float = 37_728.7

    @property
    def scoring_cpu_s_per_pair(self) -> float:
        """Stage one for every pair, the full scorer for the pairs it leaves."""
        return (1.0 / self.stage_one_pairs_per_s
                + (1.0 - self.stage_one_decided_share) / self.full_pairs_per_s)

    @property
    def apply_cpu_s(self) -> float:
        """One application in Chromium, the machine's two cores over the bench's rate."""
        return 2.0 * 60.0 / self.bot_applications_per_min

    @property
    def applications_per_job(self) -> float:
        return self.e2e_applications / self.e2e_unique_jobs

    @property
    def reviews_per_job(self) -> float:
        return self.e2e_reviews / self.e2e_unique_jobs


@dataclass(frozen=True)
class Assumptions:
    """What the plan assumes beyond the measurements; each is said in docs/capacity.md."""

    posts_per_day_1x: float = 1_000.0  # the full-size bench world as one day's intake
    candidates_1x: int = 200
    duplicate_share: float = 0.3  # posts that repeat a job on another board
    preselect: int = 200  # JAMS_PRESELECT_LIMIT: nearest candidates scored per job
    open_days: float = 30.0  # a job stays open this long on average
    matches_kept_days: float = 120.0  # open, then the purge's 90 days after closing
    resume_versions_per_candidate_day: float = 1.0 / 30.0  # a new resume a month
    job_preselect_per_resume: int = 2_000  # proposed: nearest open jobs a new resume meets
    peak_factor: float = 3.0  # the busiest hour against the day's average
    target_utilisation: float = 0.5  # the latency target is set at half load
    review_minutes: float = 10.0  # a reviewer's work on one task (the SLA allows 15-20)
    reviewer_hours_per_day: float = 7.0
    price_per_core_hour: float = 0.0446  # on-demand x86 vCPU (c7i.large: $0.08925/h, 2 vCPU)
    cores_per_machine: int = 16
    vector_dimensions: int = 384
    hnsw_m: int = 16


@dataclass(frozen=True)
class Load:
    """A day's work at `scale` times the bench world's day."""

    scale: int
    posts_per_day: float
    unique_jobs_per_day: float
    candidates: int
    pairs_per_job: int
    job_pairs_per_day: float  # each new job against its preselected candidates
    open_jobs: float
    resume_versions_per_day: float
    resume_pairs_per_day: float  # today: a new resume version meets every open job
    resume_pairs_per_day_preselected: float  # with the nearest open jobs only
    applications_per_day: float
    reviews_per_day: float
    peak_factor: float

    @property
    def peak_posts_per_s(self) -> float:
        return self.posts_per_day / DAY_S * self.peak_factor

    @property
    def average_pairs_per_s(self) -> float:
        return self.job_pairs_per_day / DAY_S

    @property
    def peak_pairs_per_s(self) -> float:
        return self.average_pairs_per_s * self.peak_factor

    @property
    def peak_pairs_per_s_unselected(self) -> float:
        """Were every new job scored against every candidate, with no preselection."""
        return self.unique_jobs_per_day * self.candidates / DAY_S * self.peak_factor


DAY_S = 86_400.0
ASSUME = Assumptions()
MEASURED = Measured()


def load(scale: int, measured: Measured = MEASURED, assume: Assumptions = ASSUME) -> Load:
    posts = assume.posts_per_day_1x * scale
    unique = posts * (1.0 - assume.duplicate_share)
    candidates = assume.candidates_1x * scale
    per_job = min(candidates, assume.preselect)
    open_jobs = unique * assume.open_days
    versions = candidates * assume.resume_versions_per_candidate_day
    return Load(scale, posts, unique, candidates, per_job, unique * per_job, open_jobs,
                versions, versions * open_jobs,
                versions * min(open_jobs, assume.job_preselect_per_resume),
                unique * measured.applications_per_job, unique * measured.reviews_per_job,
                assume.peak_factor)


def ats_cpu_s_per_post(pairs_per_job: int, measured: Measured = MEASURED,
                       assume: Assumptions = ASSUME) -> float:
    """The ATS engine's CPU for one raw post: as measured at bench-capacity's candidates,
    plus (or less) the scoring of the pairs a job has beyond them (a repeated post is no new
    job, so not every post brings pairs)."""
    extra = (pairs_per_job - measured.capacity_candidates) * measured.scoring_cpu_s_per_pair
    return measured.ats_cpu_s_per_post + extra * (1.0 - assume.duplicate_share)


@dataclass(frozen=True)
class Cores:
    """CPU cores the busiest hour keeps busy, by part."""

    ats_engine: float
    rest: float  # the other services and the servers, but the bot
    application_bot: float

    @property
    def total(self) -> float:
        return self.ats_engine + self.rest + self.application_bot


def peak_cores(work: Load, measured: Measured = MEASURED) -> Cores:
    posts = work.peak_posts_per_s
    applications = work.applications_per_day / DAY_S * work.peak_factor
    return Cores(posts * ats_cpu_s_per_post(work.pairs_per_job, measured),
                 posts * measured.rest_cpu_s_per_post,
                 applications * measured.apply_cpu_s)


def reviewers_on_shift(work: Load, assume: Assumptions = ASSUME) -> float:
    """People the day's review tasks keep busy."""
    return work.reviews_per_day * assume.review_minutes / (assume.reviewer_hours_per_day * 60)


def replicas(cores_at_peak: float, minimum: int = 2, assume: Assumptions = ASSUME) -> int:
    """Single-loop processes for a part at peak, each kept at the target utilisation; two at
    least, so that one can be lost."""
    return max(minimum, math.ceil(cores_at_peak / assume.target_utilisation))


def machines(cores_at_peak: float, assume: Assumptions = ASSUME) -> int:
    """Machines of `cores_per_machine` cores for everything, at the target utilisation."""
    return max(1, math.ceil(cores_at_peak
                            / (assume.cores_per_machine * assume.target_utilisation)))


def partitions(consumer_replicas: int) -> int:
    """Room for twice the consumers a topic needs (partitions only grow), at least the 12 the
    deployment sets today, in steps of 12."""
    return max(12, math.ceil(2 * consumer_replicas / 12) * 12)


def resume_path_cpu_s(open_jobs: float, measured: Measured = MEASURED) -> float:
    """Today's rule for a new resume version: every open job's text parsed again and its pair
    scored. One candidate gives stage one a single row to stack, so the pair is counted at the
    full scorer's rate."""
    return open_jobs * (measured.parse_job_cpu_s + 1.0 / measured.full_pairs_per_s)


def lock_hours_per_day(work: Load, measured: Measured = MEASURED) -> float:
    """Hours a day the resume path holds the exclusive scoring lock, during which no job is
    scored: more than 24 means the path can no longer keep up at all."""
    return work.resume_versions_per_day * resume_path_cpu_s(work.open_jobs, measured) / 3600.0


@dataclass(frozen=True)
class Storage:
    matches_gb: float  # every pair's decision and its outbox row, kept 120 days
    jobs_gb: float  # every other table: jobs, chunk vectors, inbox, read models
    candidate_vectors_mb: float  # one pgvector row and its HNSW entry per candidate
    peak_match_rows_per_s: float


def storage(work: Load, measured: Measured = MEASURED, assume: Assumptions = ASSUME) -> Storage:
    vector_bytes = assume.vector_dimensions * 4 + 8
    # The heap row (vector, ids, header) and the HNSW entry (the vector again, 2m neighbour
    # ids of 6 bytes at layer 0).
    per_candidate = (vector_bytes + 64) + (vector_bytes + 2 * assume.hnsw_m * 6)
    kept = assume.matches_kept_days
    return Storage(work.job_pairs_per_day * kept * measured.db_bytes_per_decision / 1e9,
                   work.unique_jobs_per_day * kept * measured.db_bytes_per_post / 1e9,
                   work.candidates * per_candidate / 1e6, work.peak_pairs_per_s)


@dataclass(frozen=True)
class Cost:
    cpu_s_per_1000_decisions: float
    usd_per_1000_decisions: float


def cost(work: Load, measured: Measured = MEASURED, assume: Assumptions = ASSUME) -> Cost:
    """CPU for a day's posts (each part's demand) and applications, over its decisions; the
    resume path as the bench world has it (versions against preselected jobs) left out."""
    cpu = (work.posts_per_day * (ats_cpu_s_per_post(work.pairs_per_job, measured)
                                 + measured.rest_cpu_s_per_post)
           + work.applications_per_day * measured.apply_cpu_s)
    per_1000 = cpu / work.job_pairs_per_day * 1000.0
    return Cost(per_1000, per_1000 / 3600.0 * assume.price_per_core_hour)
