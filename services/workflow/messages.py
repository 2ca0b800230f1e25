"""The events the workflow emits, built from the task they describe."""

from __future__ import annotations

from typing import Any

from schemas.events import review
from services.workflow.domain import ReviewTask


def created(task: ReviewTask) -> review.ReviewTaskCreated:
    return review.ReviewTaskCreated(
        task_id=task.task_id, match_id=task.match_id, candidate_id=task.candidate_id,
        job_id=task.job_id, score=task.score, priority=task.priority,
    )


def offered(task: ReviewTask) -> review.ReviewTaskOffered:
    if task.reviewer_id is None or task.offer_expires_at is None:
        raise ValueError("only an offered task has a reviewer and an offer expiry")
    return review.ReviewTaskOffered(
        task_id=task.task_id, reviewer_id=task.reviewer_id,
        offer_expires_at=task.offer_expires_at, match_id=task.match_id,
        candidate_id=task.candidate_id, job_id=task.job_id,
        resume_version_id=task.resume_version_id, job_title=task.job_title,
        company=task.company, score=task.score, priority=task.priority,
        explanation=list(task.explanation), **_details(task),
    )


def assigned(task: ReviewTask) -> review.ReviewTaskAssigned:
    if task.reviewer_id is None or task.due_at is None:
        raise ValueError("only an assigned task has a reviewer and a deadline")
    return review.ReviewTaskAssigned(
        task_id=task.task_id, reviewer_id=task.reviewer_id, due_at=task.due_at,
        match_id=task.match_id, candidate_id=task.candidate_id, job_id=task.job_id,
        job_title=task.job_title, company=task.company, score=task.score,
        explanation=list(task.explanation), resume_version_id=task.resume_version_id,
        **_details(task),
    )


def _details(task: ReviewTask) -> dict[str, Any]:
    """The explanation that travels with an offered or accepted task."""
    details = task.details
    return {"breakdown": dict(details.breakdown), "matched_skills": list(details.matched_skills),
            "missing_skills": list(details.missing_skills), "hints": list(details.hints),
            "resume_blob_key": details.resume_blob_key, "question": details.question,
            "job_changes": list(details.job_changes)}


def job_changed(task: ReviewTask) -> review.ReviewTaskJobChanged:
    return review.ReviewTaskJobChanged(
        task_id=task.task_id, job_id=task.job_id, reviewer_id=task.reviewer_id,
        job_title=task.job_title, apply_url=task.apply_url,
        job_changes=list(task.details.job_changes))


def warning(task: ReviewTask) -> review.ReviewTaskWarning:
    if task.reviewer_id is None or task.due_at is None:
        raise ValueError("only an assigned task is warned")
    return review.ReviewTaskWarning(task_id=task.task_id, reviewer_id=task.reviewer_id,
                             due_at=task.due_at)


def missed(task: ReviewTask) -> review.ReviewTaskMissed:
    if task.reviewer_id is None:
        raise ValueError("only a held task is missed")
    return review.ReviewTaskMissed(task_id=task.task_id, reviewer_id=task.reviewer_id)


def offer_expired(task: ReviewTask) -> review.ReviewTaskOfferExpired:
    if task.reviewer_id is None:
        raise ValueError("only an offered task expires")
    return review.ReviewTaskOfferExpired(task_id=task.task_id, reviewer_id=task.reviewer_id)


def handed_back(task: ReviewTask, struck: bool,
                declined_offer: bool = False) -> review.ReviewTaskHandedBack:
    if task.reviewer_id is None:
        raise ValueError("only a held task is handed back")
    return review.ReviewTaskHandedBack(task_id=task.task_id, reviewer_id=task.reviewer_id,
                                struck=struck, declined_offer=declined_offer)


def completed(task: ReviewTask) -> review.TaskCompleted:
    if task.reviewer_id is None or task.final_resume_version_id is None:
        raise ValueError("only a completed task has a reviewer and a final resume version")
    return review.TaskCompleted(
        task_id=task.task_id, reviewer_id=task.reviewer_id, match_id=task.match_id,
        candidate_id=task.candidate_id, job_id=task.job_id,
        resume_version_id=task.final_resume_version_id, apply_url=task.apply_url,
    )


def rejected(task: ReviewTask) -> review.TaskRejected:
    if task.reviewer_id is None:
        raise ValueError("only a rejected task has a reviewer")
    return review.TaskRejected(
        task_id=task.task_id, reviewer_id=task.reviewer_id, reason=task.reject_reason or ""
    )
