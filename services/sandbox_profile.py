"""The sandbox as the place to apply: what `jams run` and the tests name explicitly, and no
production setting holds (its portal, its seed boards and candidates, its private address)."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from infra.uow import UnitOfWork
from services.job_discovery.sources import sandbox_seed_boards
from services.notifications import repository as notification_prefs
from services.notifications.domain import Preferences

# The sandbox's seed candidates, found from the source tree so any working directory will do.
SANDBOX_CANDIDATES = Path(__file__).resolve().parents[1] / "sandbox" / "seed" / "candidates.json"


def sandbox_settings(portal_url: str) -> dict[str, dict[str, Any]]:
    """Per-service settings fields that scrape the seed boards of the sandbox portal serving on
    `portal_url`, score and apply for its seed candidates, and allow-list its address."""
    private = [urlsplit(portal_url).netloc]
    return {
        "job_discovery": {"sources": sandbox_seed_boards(portal_url),
                          "allow_private_hosts": private},
        "ats_engine": {"candidates_seed": SANDBOX_CANDIDATES},
        # The sandbox alone can say which forms it took: its ledger settles orphans there.
        "application_bot": {"candidates_seed": SANDBOX_CANDIDATES,
                            "allow_private_hosts": private, "sandbox_ledger": True},
        # Their names and addresses, shown through the links employers share.
        "recruiting": {"candidates_seed": SANDBOX_CANDIDATES},
    }


async def seed_mail_preferences(uow: UnitOfWork, seed: Path = SANDBOX_CANDIDATES) -> int:
    """The seed candidates hear of their applications by e-mail as well as in the app, at their
    seed addresses (the sandbox's mail sink keeps it); a choice made since is kept."""
    people = json.loads(await asyncio.to_thread(seed.read_text, "utf-8"))["candidates"]
    async with uow.transaction() as tx:
        for person in people:
            await notification_prefs.set_preferences(tx.conn, Preferences(
                uuid.UUID(person["candidate_id"]), frozenset({"in_app", "email"}),
                email=person["email"]), tx.clock.now(), replace=False)
    return len(people)
