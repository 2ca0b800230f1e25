"""Tables of the recruiting service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE, UUID, ExcludeConstraint

from infra.columns import counter, created_at, job_terms, table, updated_at, uuid_key

companies = table(
    "recruiting_companies",
    uuid_key("company_id"),
    sa.Column("name", sa.Text, nullable=False),
    created_at(),
)

# Each employer's account belongs to one company; the account's role says what they may do.
members = table(
    "recruiting_members",
    uuid_key("user_id"),
    sa.Column("company_id", UUID(as_uuid=True),
              sa.ForeignKey("recruiting_companies.company_id"), nullable=False),
    sa.Column("added_by", UUID(as_uuid=True), nullable=False),
    created_at(),
    # How colleagues mention them in notes ("@ann@acme.example"); lower case.
    sa.Column("email", sa.Text),
    sa.Index("ix_recruiting_members_company_id", "company_id"),
)

# Who did what to which company's objects, and from which request; ids only, so erasing a
# candidate leaves it whole.
audit_log = table(
    "recruiting_audit_log",
    uuid_key("audit_id"),
    sa.Column("time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", UUID(as_uuid=True), nullable=False),
    sa.Column("actor_role", sa.Text, nullable=False),
    sa.Column("company_id", UUID(as_uuid=True), nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("object_type", sa.Text, nullable=False),
    sa.Column("object_id", sa.Text, nullable=False),
    sa.Column("details", JSONB, nullable=False, server_default="{}"),
    sa.Column("request_id", sa.Text),
    sa.Index("ix_recruiting_audit_log_object_type_object_id", "object_type", "object_id"),
)

# Jobs an employer posts; a published one is announced as every canonical job is.
jobs = table(
    "recruiting_jobs",
    uuid_key("job_id"),
    sa.Column("company_id", UUID(as_uuid=True),
              sa.ForeignKey("recruiting_companies.company_id"), nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("apply_url", sa.Text),
    *job_terms(),
    sa.Column("created_by", UUID(as_uuid=True), nullable=False),
    created_at(),
    updated_at(),
    sa.Column("published_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    # Material edits announced since it was published (JobUpdated's revision).
    counter("revision"),
    sa.CheckConstraint("status IN ('draft', 'published', 'closed')", name="status_known"),
    sa.Index("ix_recruiting_jobs_company_id_created_at", "company_id", "created_at"),
)

# Each candidate scored against an employer job (their newest resume version's score, from the
# ATS engine's MatchesScored), and their place in the job's pipeline: who set it, and when.
candidates = table(
    "recruiting_candidates",
    uuid_key("job_id"),
    uuid_key("candidate_id"),
    sa.Column("company_id", UUID(as_uuid=True), nullable=False),
    sa.Column("match_id", UUID(as_uuid=True), nullable=False),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("breakdown", JSONB, nullable=False, server_default="{}"),
    sa.Column("matched_skills", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("missing_skills", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("explanation", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),
    sa.Column("status_by", UUID(as_uuid=True)),
    sa.Column("status_at", sa.DateTime(timezone=True)),
    sa.Column("weights_version", sa.Text),  # the ATS weights it was scored with
    # The candidate's answers to the job's questionnaire as the score weighed them.
    sa.Column("question_score", sa.Float),
    sa.Column("questions", JSONB, nullable=False, server_default="[]"),
    sa.CheckConstraint("status IN ('pending', 'shortlisted', 'maybe', 'rejected')",
                       name="status_known"),
    sa.Index("ix_recruiting_candidates_job_id_score_candidate_id", "job_id", "score",
             "candidate_id"),
    sa.Index("ix_recruiting_candidates_job_id_scored_at_candidate_id", "job_id", "scored_at",
             "candidate_id"),
    sa.Index("ix_recruiting_candidates_candidate_id", "candidate_id"),
)

# Candidates who applied to an employer job (ApplicationSubmitted), kept apart from their
# scores: the application may arrive before the score, and outlives a re-score.
applications = table(
    "recruiting_applications",
    uuid_key("job_id"),
    uuid_key("candidate_id"),
    sa.Column("application_id", UUID(as_uuid=True), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_recruiting_applications_candidate_id", "candidate_id"),
)

# Candidates erased (CandidateErased): their scores and applications may still arrive on other
# topics afterwards, and are dropped rather than put them back.
erased_candidates = table(
    "recruiting_erased_candidates",
    uuid_key("candidate_id"),
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
)

# Notes of a company's people on a candidate, written under one of its jobs; never shown to the
# candidate or another company. The current text is here, every revision in note_revisions.
notes = table(
    "recruiting_notes",
    uuid_key("note_id"),
    sa.Column("company_id", UUID(as_uuid=True), nullable=False),
    sa.Column("job_id", UUID(as_uuid=True), nullable=False),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("author_id", UUID(as_uuid=True), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("mentions", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    created_at(),
    sa.Column("edited_at", sa.DateTime(timezone=True)),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Index("ix_recruiting_notes_candidate_id_company_id", "candidate_id", "company_id"),
)

note_revisions = table(
    "recruiting_note_revisions",
    uuid_key("note_id"),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("mentions", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    sa.Column("written_by", UUID(as_uuid=True), nullable=False),
    sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_recruiting_note_revisions_candidate_id", "candidate_id"),
)

# Read-only links to one candidate's profile and match for one job, for someone without an
# account; the fields the company chose to hide are never shown through them.
shared_links = table(
    "recruiting_shared_links",
    uuid_key("link_id"),
    sa.Column("company_id", UUID(as_uuid=True), nullable=False),
    sa.Column("job_id", UUID(as_uuid=True), nullable=False),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("hidden_fields", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("created_by", UUID(as_uuid=True), nullable=False),
    created_at(),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_by", UUID(as_uuid=True)),
    sa.Index("ix_recruiting_shared_links_job_id_candidate_id", "job_id", "candidate_id"),
    sa.Index("ix_recruiting_shared_links_candidate_id", "candidate_id"),
)

# Every visit of a shared link: when, from which request and address, and what it was shown
# (the profile, or "gone" for an expired or revoked link).
link_views = table(
    "recruiting_link_views",
    uuid_key("view_id"),
    sa.Column("link_id", UUID(as_uuid=True), nullable=False),
    sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("request_id", sa.Text),
    sa.Column("client_addr", sa.Text),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.CheckConstraint("outcome IN ('shown', 'expired', 'revoked')", name="outcome_known"),
    sa.Index("ix_recruiting_link_views_link_id", "link_id"),
)

# Interviews with a candidate of one of the company's jobs; `sequence` counts the changes the
# calendar invitations carry.
interviews = table(
    "recruiting_interviews",
    uuid_key("interview_id"),
    sa.Column("company_id", UUID(as_uuid=True), nullable=False),
    sa.Column("job_id", UUID(as_uuid=True), sa.ForeignKey("recruiting_jobs.job_id"),
              nullable=False),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("time_zone", sa.Text, nullable=False),
    sa.Column("duration_min", sa.Integer, nullable=False),
    sa.Column("location", sa.Text),
    sa.Column("link", sa.Text),
    sa.Column("interviewer_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    counter("sequence"),
    sa.Column("created_by", UUID(as_uuid=True), nullable=False),
    created_at(),
    updated_at(),
    sa.CheckConstraint("kind IN ('phone', 'video', 'in_person')", name="kind_known"),
    sa.CheckConstraint("status IN ('scheduled', 'cancelled', 'completed')", name="status_known"),
    sa.CheckConstraint("duration_min > 0", name="duration_positive"),
    sa.Index("ix_recruiting_interviews_job_id_starts_at", "job_id", "starts_at"),
    sa.Index("ix_recruiting_interviews_candidate_id", "candidate_id"),
)

# The time each interviewer is booked for an interview that is not cancelled. The exclusion
# constraint is the referee of double booking: of two overlapping bookings of one interviewer,
# however concurrent, the second to commit fails.
interview_slots = table(
    "recruiting_interview_slots",
    uuid_key("interview_id"),
    uuid_key("interviewer_id"),
    sa.Column("during", TSTZRANGE, nullable=False),
    ExcludeConstraint(("interviewer_id", "="), ("during", "&&"), using="gist",
                      name="ex_recruiting_interview_slots_interviewer_free"),
)

# Re-scores of a job's candidates, asked of the ATS engine (RescoreRequested) and followed
# through its RescoreProgressed: one queued or running at a time per job, kept by PostgreSQL
# itself (two requests at once cannot both insert); `once_key` makes a nightly or
# weights-change run ask once per job however often it runs.
rescore_tasks = table(
    "recruiting_rescore_tasks",
    uuid_key("task_id"),
    sa.Column("job_id", UUID(as_uuid=True), nullable=False),
    sa.Column("company_id", UUID(as_uuid=True), nullable=False),
    sa.Column("priority", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("once_key", sa.Text),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("requested_by", UUID(as_uuid=True)),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("weights_version", sa.Text),
    sa.Column("pairs", sa.Integer),
    sa.Column("error", sa.Text),
    # A weights version announced while the task was active: if it ends scored with another
    # (it ran before the engine took the new one), the job is asked again.
    sa.Column("weights_due", sa.Text),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
    sa.CheckConstraint("priority IN ('normal', 'high')", name="priority_known"),
    sa.Index("uq_recruiting_rescore_tasks_job_id", "job_id", unique=True,
             postgresql_where=sa.text("status IN ('queued', 'running')")),
    sa.Index("uq_recruiting_rescore_tasks_job_id_once_key", "job_id", "once_key", unique=True),
)

# Each version of a job's employer questionnaire: a change adds a version, old ones stay.
questionnaires = table(
    "recruiting_questionnaires",
    uuid_key("questionnaire_id"),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("job_id", UUID(as_uuid=True), sa.ForeignKey("recruiting_jobs.job_id"),
              nullable=False),
    sa.Column("company_id", UUID(as_uuid=True), nullable=False),
    sa.Column("questions", JSONB, nullable=False),
    sa.Column("created_by", UUID(as_uuid=True), nullable=False),
    created_at(),
    sa.Index("ix_recruiting_questionnaires_job_id", "job_id"),
)

# Every set of answers a candidate gave (each a version of their answers), with how each
# answer fared against the version of the questionnaire it answers.
answers = table(
    "recruiting_answers",
    uuid_key("answers_id"),
    sa.Column("questionnaire_id", UUID(as_uuid=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("job_id", UUID(as_uuid=True)),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("answers", JSONB, nullable=False),
    sa.Column("results", JSONB, nullable=False),
    sa.Column("question_score", sa.Float),
    # Who sent them: the candidate, staff on their behalf (their id), or the application bot.
    sa.Column("submitted_by", UUID(as_uuid=True)),
    sa.Column("source", sa.Text, nullable=False),
    created_at(),
    sa.CheckConstraint("kind IN ('employer', 'fit')", name="kind_known"),
    sa.Index("ix_recruiting_answers_candidate_id", "candidate_id"),
    sa.Index("ix_recruiting_answers_questionnaire_id_candidate_id",
             "questionnaire_id", "candidate_id"),
)
