"""Search-result sites through Chromium, driven by a declarative config (selectors, paging).

Every request the browser makes goes through the politeness client (route interception), so
rate limits, the breaker and block detection apply exactly as for the JSON APIs.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus, urljoin

from playwright.async_api import ElementHandle, Page, Route, async_playwright

from infra.politeness import PoliteClient, PortalPolicy
from infra.politeness.client import Observer
from services.job_discovery.adapters.base import (
    BadPosting,
    FetchedPosting,
    FetchResult,
    LayoutChanged,
    SelectorDrift,
    build_event,
    plain_text,
)
from services.job_discovery.sources import BrowserSource, FieldSpec

CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync")
REQUIRED = ("id", "title", "company", "url")
# Images, fonts and styles are never needed to read a page; not fetching them is polite.
_FETCHED_RESOURCES = frozenset({"document", "xhr", "fetch"})
_HOP_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding",
                          "connection"})


def _known(cursor: str | None) -> set[str]:
    if not cursor:
        return set()
    try:
        ids = json.loads(cursor).get("ids", [])
    except (ValueError, AttributeError):
        return set()
    return {i for i in ids if isinstance(i, str)}


class BrowserAdapter:
    """Pages of result cards, then a detail page per new card."""

    def __init__(self, config: BrowserSource, client: PoliteClient, policy: PortalPolicy,
                 observer: Observer | None, chromium_path: str) -> None:
        self.config = config
        self.source_id = config.name
        self.portal = config.site
        self._client = client
        self._policy = policy
        self._observer = observer
        self._chromium = chromium_path
        self._failure: Exception | None = None
        self.server_filters = frozenset(
            name for name in ("keywords", "location") if f"{{{name}}}" in config.search_url)

    async def fetch(self, cursor: str | None) -> FetchResult:
        known = _known(cursor)
        result = FetchResult(complete=True)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=self._chromium,
                                               args=list(CHROMIUM_ARGS))
            try:
                context = await browser.new_context(user_agent=self._policy.user_agent)
                await context.route("**/*", self._route)
                page = await context.new_page()
                cards = await self._search(page, result)
                ids = [card["id"] for card in cards]
                for card in cards:
                    if card["id"] in known:
                        continue
                    try:
                        await self._detail(page, card, result)
                    except Exception as exc:  # keep the details fetched so far
                        result.error, result.complete = exc, False
                        break
            finally:
                await browser.close()
        result.seen_keys = [f"{self.config.site}:{i}" for i in ids]
        result.listed = len(ids)
        result.cursor = json.dumps({"ids": sorted(ids)}) if result.complete else cursor
        return result

    async def _route(self, route: Route) -> None:
        request = route.request
        if request.resource_type not in _FETCHED_RESOURCES:
            await route.abort()
            return
        try:
            response = await self._client.request(
                self.portal, self._policy, request.method, request.url,
                observer=self._observer, content=request.post_data_buffer)
        except Exception as exc:
            self._failure = exc
            await route.abort()
            return
        headers = {k: v for k, v in response.headers.items() if k.lower() not in _HOP_HEADERS}
        await route.fulfill(status=response.status_code, headers=headers, body=response.content)

    async def _open(self, page: Page, url: str) -> int:
        self._failure = None
        try:
            response = await page.goto(url, wait_until="domcontentloaded")
        except Exception as exc:
            raise (self._failure or LayoutChanged(f"{url}: navigation failed: {exc}")) from None
        if self._failure is not None:
            raise self._failure
        return response.status if response is not None else 0

    def _search_url(self, number: int) -> str:
        filters = self.config.filters
        return self.config.search_url.format(
            offset=number * self.config.page_step, page=number + 1,
            keywords=quote_plus(filters.keywords or ""),
            location=quote_plus(filters.location or ""))

    async def _search(self, page: Page, result: FetchResult) -> list[dict[str, str]]:
        """Every card of every results page, read through `fields`."""
        cards: list[dict[str, str]] = []
        for number in range(self.config.max_pages):
            url = self._search_url(number)
            try:
                status = await self._open(page, url)
                if status >= 400:
                    raise LayoutChanged(f"{url}: HTTP {status}")
                found = await page.query_selector_all(self.config.card)
                if not found:
                    await self._empty(page, url, first=number == 0)
                    return cards
                cards += await self._read_cards(page, found, url, result)
            except Exception as exc:
                if number == 0:
                    raise
                result.error, result.complete = exc, False
                return cards
            if len(found) < self.config.page_step:
                return cards
        result.skip("truncated", f"stopped after max_pages={self.config.max_pages}")
        result.complete = False
        return cards

    async def _empty(self, page: Page, url: str, *, first: bool) -> None:
        marker = self.config.empty_marker
        if first and not (marker and await page.query_selector(marker)):
            raise SelectorDrift(f"{url}: card selector {self.config.card!r} matched nothing "
                                "and the page is not a no-results page")

    async def _read_cards(self, page: Page, found: list[ElementHandle], url: str,
                          result: FetchResult) -> list[dict[str, str]]:
        cards: list[dict[str, str]] = []
        missing: dict[str, int] = {}
        for element in found:
            values = {name: await _read(element, spec) for name, spec in
                      self.config.fields.items()}
            gaps = [name for name in REQUIRED if not values.get(name)]
            for name in gaps:
                missing[name] = missing.get(name, 0) + 1
            if gaps:
                result.skip("bad_posting", f"{url}: a card has no {', '.join(gaps)}")
                continue
            values["url"] = urljoin(page.url, values["url"])
            values["html"] = (await element.evaluate("(e) => e.outerHTML"))[:20_000]
            cards.append({k: v for k, v in values.items() if v is not None})
        worst = max(missing.values(), default=0)
        if worst > self.config.max_missing_ratio * len(found):
            raise SelectorDrift(f"{url}: {worst} of {len(found)} cards have no "
                                f"{', '.join(sorted(missing))}; the selectors need updating")
        return cards

    async def _detail(self, page: Page, card: dict[str, str], result: FetchResult) -> None:
        details: dict[str, str | None] = {}
        if self.config.detail:
            status = await self._open(page, card["url"])
            if status >= 400:
                result.skip("bad_posting", f"{card['url']}: detail page HTTP {status}")
                return
            for name, spec in self.config.detail.items():
                element = await page.query_selector(spec.selector)
                details[name] = await _value(element, spec) if element else None
            gaps = [name for name, value in details.items() if value is None]
            if gaps:
                selectors = ", ".join(self.config.detail[g].selector for g in gaps)
                result.skip("selector_drift", f"{card['url']}: detail page has no "
                            f"{', '.join(gaps)} ({selectors})")
        try:
            event = build_event(
                self.config.site, card["id"], company=card["company"].strip(),
                title=card["title"].strip(), location=card.get("location", "").strip(),
                description=plain_text(details.get("description") or ""),
                apply_url=card["url"], posted_at=_date(card.get("posted")))
        except BadPosting as exc:
            result.skip("bad_posting", str(exc))
            return
        raw: dict[str, Any] = {"card": card, "detail": details}
        result.postings.append(FetchedPosting(event, raw, card["url"]))


async def _read(element: ElementHandle | None, spec: FieldSpec) -> str | None:
    if element is None:
        return None
    target = element if spec.selector == ":scope" else await element.query_selector(spec.selector)
    return await _value(target, spec) if target is not None else None


async def _value(target: ElementHandle, spec: FieldSpec) -> str | None:
    """The attribute or text (HTML for blocks, to keep their structure) of `target`."""
    if spec.attribute:
        value = await target.get_attribute(spec.attribute)
    else:
        value = await target.evaluate("(e) => e.matches('div, section, article, ul') ? "
                                      "e.innerHTML : e.textContent")
    if value is None:
        return None
    value = value.strip()
    if spec.pattern:
        match = re.search(spec.pattern, value)
        return match.group(1) if match and match.groups() else None
    return value or None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
