"""ats engine: resume versions, preferences, parsed resumes, job text, match details

Revision ID: 0002_ats_engine
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

revision = "0002_ats_engine"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "ats_embeddings",
        sa.Column("content_sha256", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("embedding", Vector(384), nullable=False),
        sa.PrimaryKeyConstraint("content_sha256", name=op.f("pk_ats_embeddings")),
    )
    op.create_table(
        "ats_candidate_vectors",
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("resume_version_id", sa.UUID(), nullable=False),
        sa.Column("embedding", Vector(384), nullable=False),
        sa.PrimaryKeyConstraint("candidate_id", name=op.f("pk_ats_candidate_vectors")),
    )
    op.create_index("ix_ats_candidate_vectors_embedding", "ats_candidate_vectors",
                    ["embedding"], postgresql_using="hnsw",
                    postgresql_with={"m": 16, "ef_construction": 64},
                    postgresql_ops={"embedding": "vector_cosine_ops"})
    op.create_table(
        "ats_resume_versions",
        sa.Column("resume_version_id", sa.UUID(), nullable=False),
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("blob_key", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("skills", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("resume_version_id", name=op.f("pk_ats_resume_versions")),
    )
    op.create_index(op.f("ix_ats_resume_versions_candidate_id"), "ats_resume_versions",
                    ["candidate_id"])
    op.create_table(
        "ats_candidate_preferences",
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("preferences", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("candidate_id", name=op.f("pk_ats_candidate_preferences")),
    )
    op.add_column("ats_candidates", sa.Column("resume_text", sa.Text(), nullable=True))
    op.add_column("ats_candidates", sa.Column("resume_kind", sa.Text(), nullable=True))
    op.add_column("ats_candidates",
                  sa.Column("gates", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("ats_matches",
                  sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.create_unique_constraint(
        op.f("uq_ats_matches_job_id_candidate_id_resume_version_id"), "ats_matches",
        ["job_id", "candidate_id", "resume_version_id"])
    op.add_column("ats_jobs", sa.Column("location", sa.Text(), nullable=True))
    op.add_column("ats_jobs", sa.Column("description", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("ats_jobs", "description")
    op.drop_column("ats_jobs", "location")
    op.drop_constraint(op.f("uq_ats_matches_job_id_candidate_id_resume_version_id"),
                       "ats_matches", type_="unique")
    op.drop_column("ats_matches", "details")
    op.drop_column("ats_candidates", "gates")
    op.drop_column("ats_candidates", "resume_kind")
    op.drop_column("ats_candidates", "resume_text")
    op.drop_table("ats_candidate_preferences")
    op.drop_index(op.f("ix_ats_resume_versions_candidate_id"), table_name="ats_resume_versions")
    op.drop_table("ats_resume_versions")
    op.drop_index("ix_ats_candidate_vectors_embedding", table_name="ats_candidate_vectors")
    op.drop_table("ats_candidate_vectors")
    op.drop_table("ats_embeddings")
