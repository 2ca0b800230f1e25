"""Tables of the recruiting service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

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
