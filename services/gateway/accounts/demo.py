"""Demo accounts of the embedded default: one per staff role, sharing one generated password."""

from __future__ import annotations

from infra.auth import Role
from services.gateway.accounts.service import Accounts
from services.gateway.settings import DEMO_REVIEWER_ID

DEMO_ACCOUNTS = (
    ("admin@jams.local", Role.ADMIN),
    ("supervisor@jams.local", Role.SUPERVISOR),
    ("reviewer@jams.local", Role.REVIEWER),
    ("operator@jams.local", Role.OPERATOR),
)


async def seed_demo_accounts(accounts: Accounts, password: str) -> list[str]:
    """Create the demo accounts that are missing; their emails, in order."""
    for email, role in DEMO_ACCOUNTS:
        await accounts.ensure(email, password, role,
                              DEMO_REVIEWER_ID if role is Role.REVIEWER else None)
    return [email for email, _ in DEMO_ACCOUNTS]
