"""gateway: accounts of employers' people (recruiter, hiring_manager, company_admin)

Revision ID: 0010_gateway_recruiting_roles
Revises: 0003_gateway_accounts
"""

from __future__ import annotations

from alembic import op

revision = "0010_gateway_recruiting_roles"
down_revision = "0003_gateway_accounts"
branch_labels = None
depends_on = None

_OLD = "role IN ('admin', 'operator', 'supervisor', 'reviewer', 'candidate')"
_NEW = ("role IN ('admin', 'operator', 'supervisor', 'reviewer', 'candidate', 'recruiter', "
        "'hiring_manager', 'company_admin')")


def upgrade() -> None:
    op.drop_constraint("ck_gw_users_role_known", "gw_users", type_="check")
    op.create_check_constraint(op.f("ck_gw_users_role_known"), "gw_users", _NEW)


def downgrade() -> None:
    op.drop_constraint("ck_gw_users_role_known", "gw_users", type_="check")
    op.create_check_constraint(op.f("ck_gw_users_role_known"), "gw_users", _OLD)
