"""Topic names: one place, so producers, consumers and the AsyncAPI document agree."""

from typing import Final

JOBS_RAW: Final = "jobs.raw"
JOBS_NEW: Final = "jobs.new"
RESUMES: Final = "resumes.versions"
RESUME_UPLOADS: Final = "resumes.uploads"
MATCHES: Final = "matches.decisions"
REVIEW_TASKS: Final = "review.tasks"
REVIEW_COMMANDS: Final = "review.commands"
REVIEWERS: Final = "review.reviewers"
APPLICATIONS: Final = "applications.results"
NOTIFICATIONS: Final = "notifications.deliveries"
DISCOVERY_ALERTS: Final = "discovery.alerts"
CANDIDATES: Final = "candidates.profiles"
CONFIG: Final = "config.scoring"
PORTALS: Final = "config.portals"
RECRUITING: Final = "recruiting.pipeline"

DLQ_SUFFIX: Final = ".dlq"


def dead_letter_topic(topic: str) -> str:
    """Where poison events of `topic` go."""
    return topic + DLQ_SUFFIX
