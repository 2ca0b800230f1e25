"""Whether a portal may be automated, applying and scraping each: operators switch it per
portal; portals whose terms forbid automation (LinkedIn, Indeed) are off on their real sites
until an operator turns them on. The sandbox's stand-ins for them are on.

Each service keeps the switches it is told of (PortalAutomationChanged) in its own documents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal
from urllib.parse import urlsplit

from infra.documents import DocumentStore
from infra.uow import Transaction
from schemas.events.config import PortalAutomationChanged

Activity = Literal["applying", "scraping"]
# Portals whose terms forbid automated use, by the hosts of their real sites.
TERMS_FORBID: Mapping[str, Sequence[str]] = {"linkedin": ("linkedin.com",),
                                             "indeed": ("indeed.com",)}


def on_real_site(portal: str, url: str) -> bool:
    """Whether `url` is on the portal's own site, not a stand-in for it."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == home or host.endswith(f".{home}") for home in TERMS_FORBID.get(portal, ()))


class PortalSwitches:
    """The defaults alone: what holds until an operator says otherwise."""

    async def switched(self, portal: str, activity: Activity) -> bool | None:
        """What an operator set, if anything."""
        return None

    async def allowed(self, portal: str, activity: Activity, url: str) -> bool:
        switched = await self.switched(portal, activity)
        return switched if switched is not None else not on_real_site(portal, url)


class StoredSwitches(PortalSwitches):
    """Operators' switches, as this service was told of them."""

    def __init__(self, documents: DocumentStore, collection: str) -> None:
        self._documents = documents
        self._collection = collection

    async def switched(self, portal: str, activity: Activity) -> bool | None:
        stored = await self._documents.get(self._collection, portal) or {}
        value = stored.get(activity)
        return value if isinstance(value, bool) else None

    async def on_changed(self, event: PortalAutomationChanged, tx: Transaction) -> None:
        # One portal's changes come in order (the portal is the event's key).
        stored = await self._documents.get(self._collection, event.portal) or {}
        changes = {"applying": event.applying, "scraping": event.scraping}
        await self._documents.put(self._collection, event.portal, {
            **stored, **{name: value for name, value in changes.items() if value is not None}})
