"""Automation per portal: off on the real sites of portals whose terms forbid it until an
operator turns it on, on for their sandbox stand-ins, and switched per activity."""

from __future__ import annotations

from typing import Any, cast

from infra.documents import DocumentStore
from infra.portal_automation import Activity, PortalSwitches, StoredSwitches
from infra.uow import Transaction
from schemas.events.config import PortalAutomationChanged
from services.job_discovery.fleet import scraping_off
from services.job_discovery.sources import linkedin_source

REAL = "https://www.linkedin.com/jobs/view/3901000001/apply"
STAND_IN = "http://127.0.0.1:8700/jobs/view/3901000001/apply"
NO_TX = cast(Transaction, None)


class Documents:
    def __init__(self) -> None:
        self.stored: dict[tuple[str, str], dict[str, Any]] = {}

    async def put(self, collection: str, doc_id: str, document: dict[str, Any]) -> None:
        self.stored[collection, doc_id] = document

    async def get(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        return self.stored.get((collection, doc_id))


async def test_portals_whose_terms_forbid_it_are_off_on_their_real_sites_by_default() -> None:
    defaults = PortalSwitches()
    activities: tuple[Activity, ...] = ("applying", "scraping")
    for activity in activities:
        assert not await defaults.allowed("linkedin", activity, REAL)
        assert not await defaults.allowed("indeed", activity, "https://uk.indeed.com/viewjob?jk=1")
        assert await defaults.allowed("linkedin", activity, STAND_IN)
    assert await defaults.allowed("greenhouse", "applying",
                                  "https://boards.greenhouse.io/acme/jobs/1")


async def test_an_operator_switches_applying_and_scraping_separately() -> None:
    switches = StoredSwitches(cast(DocumentStore, Documents()), "switches")

    await switches.on_changed(PortalAutomationChanged(portal="linkedin", applying=True), NO_TX)
    assert await switches.allowed("linkedin", "applying", REAL)
    assert not await switches.allowed("linkedin", "scraping", REAL), "scraping left as it was"

    await switches.on_changed(PortalAutomationChanged(portal="linkedin", scraping=False,
                                                      applying=None), NO_TX)
    assert await switches.allowed("linkedin", "applying", REAL), "applying left as it was"
    assert not await switches.allowed("linkedin", "scraping", STAND_IN), "off for the stand-in"


async def test_discovery_does_not_scrape_a_portal_switched_off() -> None:
    switches = StoredSwitches(cast(DocumentStore, Documents()), "switches")
    real = linkedin_source("li", "https://www.linkedin.com", keywords="python")
    sandbox = linkedin_source("li-sandbox", "http://127.0.0.1:8700", keywords="python")

    assert await scraping_off(switches, real) == "scraping is switched off for linkedin"
    assert await scraping_off(switches, sandbox) is None

    await switches.on_changed(PortalAutomationChanged(portal="linkedin", scraping=True), NO_TX)
    assert await scraping_off(switches, real) is None
