"""Tables of the ATS engine: resume versions, candidates, preferences, jobs and match results."""

import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from infra.db import metadata

DIMENSIONS = 384  # all-MiniLM-L6-v2

resume_versions = sa.Table(
    "ats_resume_versions",
    metadata,
    sa.Column("resume_version_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("blob_key", sa.Text, nullable=False),
    sa.Column("content_sha256", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("skills", ARRAY(sa.Text), nullable=True),
)

candidates = sa.Table(
    "ats_candidates",
    metadata,
    sa.Column("candidate_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("skills", ARRAY(sa.Text), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("resume_text", sa.Text, nullable=True),
    sa.Column("resume_kind", sa.Text, nullable=True),
    sa.Column("gates", JSONB, nullable=True),
)

preferences = sa.Table(
    "ats_candidate_preferences",
    metadata,
    sa.Column("candidate_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("preferences", JSONB, nullable=False),
)

matches = sa.Table(
    "ats_matches",
    metadata,
    sa.Column("match_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("job_id", UUID(as_uuid=True), nullable=False),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("explanation", ARRAY(sa.Text), nullable=False),
    sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("details", JSONB, nullable=True),
    sa.UniqueConstraint("job_id", "candidate_id", "resume_version_id"),
)

jobs = sa.Table(
    "ats_jobs",
    metadata,
    sa.Column("job_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("company", sa.Text, nullable=False),
    sa.Column("apply_url", sa.Text, nullable=False),
    sa.Column("skills", ARRAY(sa.Text), nullable=False),
    sa.Column("open", sa.Boolean, nullable=False),
    sa.Column("location", sa.Text, nullable=True),
    sa.Column("description", sa.Text, nullable=True),
)

embeddings = sa.Table(
    "ats_embeddings",
    metadata,
    sa.Column("content_sha256", sa.Text, primary_key=True),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("embedding", Vector(DIMENSIONS), nullable=False),
)

candidate_vectors = sa.Table(
    "ats_candidate_vectors",
    metadata,
    sa.Column("candidate_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("embedding", Vector(DIMENSIONS), nullable=False),
    sa.Index("ix_ats_candidate_vectors_embedding", "embedding", postgresql_using="hnsw",
             postgresql_with={"m": 16, "ef_construction": 64},
             postgresql_ops={"embedding": "vector_cosine_ops"}),
)
