"""Each portal's default politeness, read by discovery (scraping) and the bot (applying).

Both count against one Redis bucket, slots and breaker per portal name, so the portals both
visit have one set of numbers here: whoever visits, the portal sees one rate.
"""

from __future__ import annotations

from infra.politeness.policy import PortalPolicy

# Polite guesses: these portals publish no limits (one request reads a whole Greenhouse, Lever
# or Ashby board).
_BOARD = PortalPolicy(rate_per_s=1, burst=2, max_concurrency=2)
# A site read or applied on through a browser page: one page at a time, slowly.
BROWSER_SITE = PortalPolicy(rate_per_s=0.5, burst=1, max_concurrency=1)

SHARED_POLICIES: dict[str, PortalPolicy] = {
    "greenhouse": _BOARD,
    "lever": _BOARD,
    "ashby": _BOARD,
    "workday": PortalPolicy(rate_per_s=2, burst=2, max_concurrency=2),
    # JobSpy's maintainers: LinkedIn blocks one IP around its tenth page; go slowly.
    "linkedin": PortalPolicy(rate_per_s=0.2, burst=1, max_concurrency=1),
}

# Discovery's, by source kind (a browser source by its site): Adzuna's documented quota, and
# any other site read through a browser page.
DISCOVERY_POLICIES: dict[str, PortalPolicy] = {
    **SHARED_POLICIES, "adzuna": PortalPolicy.adzuna(), "browser": BROWSER_SITE,
}

# Applying's, by portal: it also applies through Indeed Apply, which discovery does not read.
APPLYING_POLICIES: dict[str, PortalPolicy] = {
    **SHARED_POLICIES, "indeed": PortalPolicy(rate_per_s=0.5, burst=1, max_concurrency=1),
}
