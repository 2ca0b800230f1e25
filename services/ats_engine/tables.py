"""Tables of the ATS engine: resume versions, candidates, preferences, jobs and match results."""

import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from infra.columns import counter, created_at, table, uuid_key

DIMENSIONS = 384  # all-MiniLM-L6-v2

resume_versions = table(
    "ats_resume_versions",
    uuid_key("resume_version_id"),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("blob_key", sa.Text, nullable=False),
    sa.Column("content_sha256", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    created_at(),
    sa.Column("skills", ARRAY(sa.Text), nullable=True),
)

candidates = table(
    "ats_candidates",
    uuid_key("candidate_id"),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("skills", ARRAY(sa.Text), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("resume_text", sa.Text, nullable=True),
    sa.Column("resume_kind", sa.Text, nullable=True),
    sa.Column("gates", JSONB, nullable=True),
)

preferences = table(
    "ats_candidate_preferences",
    uuid_key("candidate_id"),
    sa.Column("preferences", JSONB, nullable=False),
)

matches = table(
    "ats_matches",
    uuid_key("match_id"),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("job_id", UUID(as_uuid=True), nullable=False),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("explanation", ARRAY(sa.Text), nullable=False),
    sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("details", JSONB, nullable=True),
    # The job's revision the pair was scored against: a material change is scored anew.
    counter("job_revision"),
    # The candidate's answers to the job's questionnaire it was scored with (0: none).
    counter("answers_revision"),
    # The weights version it was scored with: a re-score under another version is a row of
    # its own, so the scores of earlier versions stay readable.
    sa.Column("weights_version", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("job_id", "candidate_id", "resume_version_id", "job_revision",
                        "answers_revision", "weights_version",
                        name="uq_ats_matches_pair_revision_weights"),
)

jobs = table(
    "ats_jobs",
    uuid_key("job_id"),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("company", sa.Text, nullable=False),
    sa.Column("apply_url", sa.Text, nullable=False),
    sa.Column("skills", ARRAY(sa.Text), nullable=False),
    sa.Column("open", sa.Boolean, nullable=False),
    sa.Column("location", sa.Text, nullable=True),
    sa.Column("description", sa.Text, nullable=True),
    counter("revision"),
)

embeddings = table(
    "ats_embeddings",
    sa.Column("content_sha256", sa.Text, primary_key=True),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("embedding", Vector(DIMENSIONS), nullable=False),
)

candidate_vectors = table(
    "ats_candidate_vectors",
    uuid_key("candidate_id"),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("embedding", Vector(DIMENSIONS), nullable=False),
    sa.Index("ix_ats_candidate_vectors_embedding", "embedding", postgresql_using="hnsw",
             postgresql_with={"m": 16, "ef_construction": 64},
             postgresql_ops={"embedding": "vector_cosine_ops"}),
)

# Re-score tasks (RescoreRequested), run one job at a time by whichever replica claims the row
# first (FOR UPDATE SKIP LOCKED), high priority first, then in the order they were asked for.
# A claim is a lease: a replica that dies mid-task leaves it to be claimed again.
rescore_queue = table(
    "ats_rescore_queue",
    uuid_key("task_id"),
    sa.Column("job_id", UUID(as_uuid=True), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
    counter("attempts"),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
    sa.Index("ix_ats_rescore_queue_priority_requested_at", "priority", "requested_at",
             postgresql_where=sa.text("status IN ('queued', 'running')")),
)

# The weights version the engine scored with last: the replica that moves it announces the
# change, once (ScoringWeightsChanged).
weights_state = table(
    "ats_weights_state",
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)

# Each candidate's newest answers to a job's questionnaire (QuestionnaireAnswered), as the
# recruiting service judged them; `revision` counts the answers given, each scored anew.
question_answers = table(
    "ats_question_answers",
    uuid_key("candidate_id"),
    uuid_key("job_id"),
    counter("revision"),
    sa.Column("answers_id", UUID(as_uuid=True), nullable=False),
    sa.Column("results", JSONB, nullable=False),
    sa.Column("question_score", sa.Float),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_ats_question_answers_job_id", "job_id"),
)
