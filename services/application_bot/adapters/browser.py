"""The browser port and its Playwright adapter: one Chromium per service, a context per use."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import urljoin

import structlog
from playwright.async_api import Browser as PwBrowser
from playwright.async_api import (
    BrowserContext,
    Page,
    Playwright,
    Request,
    Route,
    WebSocketRoute,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError

from infra.bus.outage import DependencyAway
from infra.politeness import UnsafeUrl, check_url
from infra.politeness.egress import EgressProxy, Upstream
from infra.politeness.urls import Resolver, resolve_host

log = structlog.get_logger(__name__)

# Debian's Chromium, headless, with everything that phones home switched off.
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


class BrowserError(Exception):
    """The browser could not do what was asked (navigation failed, timed out, crashed)."""


class BrowserUnavailable(BrowserError, DependencyAway):
    """Chromium cannot start (missing, not executable, crashing at launch): nothing was
    visited, and no visit can be until it is back."""


class RefusedDestination(BrowserError):
    """The page was not opened: its URL, or a redirect on the way, is not one to visit."""


# Schemes that never leave the browser; every other request is checked before it is sent.
_LOCAL_SCHEMES = ("data:", "blob:", "about:")


class OutboundGuard:
    """Checks each request a page makes (navigations, redirects, subresources, sockets).

    A refused request is aborted before Chromium connects, and remembered so a refused
    navigation reads as refused rather than as a network failure.
    """

    def __init__(self, allow: Collection[str] = (), resolve: Resolver = resolve_host) -> None:
        self.allow = allow
        self._resolve = resolve

    async def refusal(self, url: str) -> str | None:
        """Why `url` may not be fetched; None when it may."""
        if url.startswith(_LOCAL_SCHEMES):
            return None
        checked = "http" + url[2:] if url.startswith(("ws:", "wss:")) else url
        try:
            await check_url(checked, self.allow, resolve=self._resolve)
        except UnsafeUrl as exc:
            return str(exc)
        return None


@dataclass(frozen=True)
class FormField:
    """A visible form control and how the page labels it."""

    name: str
    kind: str  # the input type ("text", "email", "file", ...), "select" or "textarea"
    label: str
    required: bool
    options: tuple[str, ...] = ()

    @property
    def selector(self) -> str:
        return f'[name="{self.name}"]'


# Visible controls inside a scope, each with its label (label[for], aria-label or a wrapper).
# Radio buttons of one name are one control whose label is their group's (fieldset legend,
# or a radiogroup's aria-label / aria-labelledby) and whose options are their values.
_FIELDS_JS = """(scope) => {
  const textOf = (id) => {
    const el = id && document.getElementById(id);
    return el ? el.innerText : '';
  };
  const groupLabel = (el) => {
    const group = el.closest('fieldset, [role=radiogroup], [role=group]');
    if (!group) return '';
    const legend = group.querySelector('legend');
    return (legend && legend.innerText) || group.getAttribute('aria-label')
      || textOf(group.getAttribute('aria-labelledby')) || '';
  };
  const labelOf = (el) => {
    const byFor = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
    return (byFor && byFor.innerText) || el.getAttribute('aria-label')
      || textOf(el.getAttribute('aria-labelledby'))
      || (el.closest('label') && el.closest('label').innerText) || el.placeholder || '';
  };
  const out = []; const radios = new Map();
  for (const el of scope.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button' || !el.name
        || el.getClientRects().length === 0) continue;
    if (el.type === 'radio') {
      let group = radios.get(el.name);
      if (!group) {
        group = {name: el.name, kind: 'radio', label: groupLabel(el).trim(), required: false,
                 options: []};
        radios.set(el.name, group); out.push(group);
      }
      group.required = group.required || el.required;
      group.options.push(el.value);
      continue;
    }
    const options = el.tagName === 'SELECT'
      ? [...el.options].filter((o) => o.value !== '').map((o) => o.value) : [];
    const kind = el.tagName === 'SELECT' ? 'select'
      : el.tagName === 'TEXTAREA' ? 'textarea' : (el.type || 'text');
    out.push({name: el.name, kind, label: labelOf(el).trim(), required: el.required, options});
  }
  return out;
}"""


def _label(text: str) -> str:
    """A label as a person reads it: one line, without the required-field marker."""
    return " ".join(text.split()).rstrip(" *✱").strip()


class BrowserPage(Protocol):
    """One tab in a fresh, private browser context."""

    @property
    def url(self) -> str: ...

    async def open(self, url: str) -> int | None:
        """Navigate; the main document's HTTP status (None when there was no response)."""
        ...

    async def count(self, selector: str) -> int: ...

    async def dom_property(self, selector: str, name: str) -> str | None:
        """A DOM property of the first match (resolved, e.g. a form's absolute `action`)."""
        ...

    async def fill(self, selector: str, value: str) -> None: ...

    async def select(self, selector: str, value: str) -> None:
        """Choose the option with `value` in a select."""
        ...

    async def fields(self, scope: str) -> list[FormField]:
        """The visible, named form controls inside the first match of `scope`."""
        ...

    async def attach(self, selector: str, path: Path) -> None:
        """Choose `path` in a file input."""
        ...

    async def check(self, selector: str) -> None:
        """Tick a checkbox or choose a radio button."""
        ...

    async def click(self, selector: str) -> None: ...

    async def wait_for_any(self, selectors: Sequence[str], timeout_s: float) -> str | None:
        """The first of `selectors` to become visible (across navigations); None on timeout."""
        ...

    async def text(self) -> str:
        """The page's visible text."""
        ...

    async def html(self) -> str: ...

    async def screenshot(self) -> bytes:
        """A full-page PNG."""
        ...


class Browser(Protocol):
    """A browser shared by a service; each `page()` is isolated from every other."""

    def page(self, storage_state: Mapping[str, Any] | None = None, *,
             upstream: Upstream | None = None) -> AbstractAsyncContextManager[BrowserPage]:
        """A tab in a fresh context, signed in with `storage_state` (Playwright's) if given;
        its connections through `upstream` when one is given."""
        ...

    async def close(self) -> None: ...


@contextmanager
def _translated(action: str) -> Iterator[None]:
    """Playwright's errors (timeouts included) as BrowserError, so callers need no Playwright."""
    try:
        yield
    except PlaywrightError as exc:
        first_line = (exc.message or str(exc)).splitlines()[0] if str(exc) else repr(exc)
        raise BrowserError(f"{action}: {first_line}") from exc


class PlaywrightPage:
    """A BrowserPage on a Playwright page."""

    def __init__(self, page: Page) -> None:
        self._page = page
        self.refused: list[str] = []  # why each refused request of the main frame was refused

    @property
    def url(self) -> str:
        return self._page.url

    async def open(self, url: str) -> int | None:
        self.refused.clear()
        try:
            with _translated(f"opening {url}"):
                response = await self._page.goto(url, wait_until="domcontentloaded")
        except BrowserError:
            if self.refused:
                raise RefusedDestination(f"not opened: {self.refused[0]}") from None
            raise
        if self.refused:  # a refused redirect may end the navigation without an error
            raise RefusedDestination(f"not opened: {self.refused[0]}")
        return None if response is None else response.status

    async def count(self, selector: str) -> int:
        with _translated(f"counting {selector}"):
            return await self._page.locator(selector).count()

    async def dom_property(self, selector: str, name: str) -> str | None:
        with _translated(f"reading {selector}.{name}"):
            handle = self._page.locator(selector).first
            value = await handle.evaluate("(element, name) => element[name]", name)
        return None if value is None else str(value)

    async def fill(self, selector: str, value: str) -> None:
        with _translated(f"filling {selector}"):
            await self._page.locator(selector).first.fill(value)

    async def select(self, selector: str, value: str) -> None:
        with _translated(f"selecting in {selector}"):
            await self._page.locator(selector).first.select_option(value)

    async def fields(self, scope: str) -> list[FormField]:
        with _translated(f"reading the fields of {scope}"):
            raw = await self._page.locator(scope).first.evaluate(_FIELDS_JS)
        return [FormField(str(f["name"]), str(f["kind"]), _label(str(f["label"])),
                          bool(f["required"]), tuple(str(o) for o in f["options"]))
                for f in raw]

    async def attach(self, selector: str, path: Path) -> None:
        with _translated(f"attaching a file to {selector}"):
            await self._page.locator(selector).first.set_input_files(path)

    async def check(self, selector: str) -> None:
        with _translated(f"checking {selector}"):
            await self._page.locator(selector).first.check()

    async def click(self, selector: str) -> None:
        with _translated(f"clicking {selector}"):
            await self._page.locator(selector).first.click()

    async def wait_for_any(self, selectors: Sequence[str], timeout_s: float) -> str | None:
        # Visible matches only: a hidden notice earlier in the page must not mask a shown one.
        locators = [self._page.locator(selector).filter(visible=True).first
                    for selector in selectors]
        either = locators[0]
        for locator in locators[1:]:
            either = either.or_(locator)
        try:
            await either.first.wait_for(state="visible", timeout=timeout_s * 1000)
            for selector, locator in zip(selectors, locators, strict=True):
                if await locator.is_visible():
                    return selector
        except PlaywrightError:
            return None
        return None

    async def text(self) -> str:
        with _translated("reading the page text"):
            return await self._page.locator("body").inner_text()

    async def html(self) -> str:
        with _translated("reading the page HTML"):
            return await self._page.content()

    async def screenshot(self) -> bytes:
        with _translated("taking a screenshot"):
            return await self._page.screenshot(full_page=True, type="png")


EgressFactory = Callable[[Upstream | None], EgressProxy]


class PlaywrightBrowser:
    """Chromium through Playwright, started on first use and restarted if it died.

    Every connection Chromium makes goes through a local egress proxy (infra.politeness.egress)
    that resolves, checks and pins it: the browser's own resolver is never asked, so a name
    that rebinds to a private address after the route check cannot be reached. A page with an
    upstream proxy gets an egress proxy of its own that tunnels through that upstream.
    """

    def __init__(self, executable_path: Path, *, timeout_s: float,
                 guard: OutboundGuard | None = None, egress: EgressFactory | None = None,
                 extra_args: Sequence[str] = ()) -> None:
        self._executable_path = executable_path
        self._guard = guard or OutboundGuard()
        self._egress = egress or (lambda upstream: EgressProxy(allow=self._guard.allow,
                                                               upstream=upstream))
        self._args = [*CHROMIUM_ARGS, *extra_args]
        self._timeout_ms = timeout_s * 1000
        self._lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._browser: PwBrowser | None = None
        self._direct: EgressProxy | None = None
        self._start_failure: str | None = None  # why the last start failed, for readiness

    async def _running(self) -> PwBrowser:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            await self._stop()
            try:
                self._direct = self._egress(None)
                await self._direct.start()
                with _translated("starting Chromium"):
                    self._playwright = await async_playwright().start()
                    # Playwright sends loopback through the proxy too (`<-loopback>`).
                    self._browser = await self._playwright.chromium.launch(
                        executable_path=self._executable_path, args=self._args, headless=True,
                        proxy={"server": self._direct.url},
                    )
            except BrowserError as exc:
                self._start_failure = f"{self._executable_path}: {exc}"[:500]
                await self._stop()
                raise BrowserUnavailable(self._start_failure) from exc
            self._start_failure = None
            log.info("browser started", version=self._browser.version)
            return self._browser

    async def check(self) -> None:
        """Readiness: raises BrowserUnavailable, saying why, when the last start failed or
        the executable is missing; a running browser is not launched again to ask."""
        if self._start_failure is not None:
            raise BrowserUnavailable(self._start_failure)
        if not os.access(self._executable_path, os.X_OK):
            raise BrowserUnavailable(f"{self._executable_path} is not an executable")

    @asynccontextmanager
    async def page(self, storage_state: Mapping[str, Any] | None = None, *,
                   upstream: Upstream | None = None) -> AsyncIterator[BrowserPage]:
        """A tab in a new context: no cookies or storage shared between applications, only
        the candidate's own session when one is given."""
        browser = await self._running()
        lane = None if upstream is None else self._egress(upstream)
        if lane is not None:
            await lane.start()
        try:
            with _translated("opening a browser context"):
                # Downloads and service workers off: a hostile page gets nothing to persist.
                context = await browser.new_context(
                    accept_downloads=False, service_workers="block",
                    storage_state=cast(Any, dict(storage_state)) if storage_state else None,
                    proxy=None if lane is None else {"server": lane.url})
        except BaseException:
            if lane is not None:
                await lane.stop()
            raise
        try:
            context.set_default_timeout(self._timeout_ms)
            context.set_default_navigation_timeout(self._timeout_ms)
            with _translated("opening a tab"):
                page = await context.new_page()
            guarded = PlaywrightPage(page)
            with _translated("guarding the tab's requests"):
                await self._guard_context(context, guarded)
            yield guarded
        finally:
            try:
                await context.close()
            except PlaywrightError as exc:  # the browser died under us; the next use restarts it
                log.warning("browser context close failed", error=str(exc))
            if lane is not None:
                await lane.stop()

    async def _guard_context(self, context: BrowserContext, page: PlaywrightPage) -> None:
        """Every request of the context through the guard: refused ones are aborted."""
        guard = self._guard

        async def refuse(route: Route, request: Request, url: str, reason: str) -> None:
            log.warning("browser request refused", url=url[:200], reason=reason)
            if request.is_navigation_request() and request.frame.parent_frame is None:
                page.refused.append(reason)
            await route.abort("blockedbyclient")

        async def on_request(route: Route, request: Request) -> None:
            if (reason := await guard.refusal(request.url)) is not None:
                await refuse(route, request, request.url, reason)
                return
            if request.resource_type != "document" or request.method != "GET":
                # A form's POST keeps Chromium's own upload (file bodies are not exposed here);
                # its target was checked above and must be the posting's own site (the kit).
                await route.fallback()
                return
            # Chromium follows a document's redirects without asking the route again, so the
            # document is fetched here, one hop at a time, and each Location checked first.
            try:
                response = await route.fetch(max_redirects=0)
            except PlaywrightError as exc:  # the page sees a network failure, as it would
                log.info("document fetch failed", url=request.url[:200], error=str(exc)[:200])
                await route.abort("failed")
                return
            location = response.headers.get("location")
            if 300 <= response.status < 400 and location:
                target = urljoin(request.url, location)
                if (reason := await guard.refusal(target)) is not None:
                    await refuse(route, request, target, reason)
                    return
            await route.fulfill(response=response)

        async def on_socket(socket: WebSocketRoute) -> None:
            reason = await guard.refusal(socket.url)
            if reason is None:
                socket.connect_to_server()
                return
            log.warning("browser socket refused", url=socket.url[:200], reason=reason)
            await socket.close(code=1008, reason="refused")

        await context.route("**/*", on_request)
        await context.route_web_socket("**/*", on_socket)

    async def close(self) -> None:
        async with self._lock:
            await self._stop()

    async def _stop(self) -> None:
        browser, playwright, direct = self._browser, self._playwright, self._direct
        self._browser = self._playwright = self._direct = None
        if browser is not None:
            try:
                await browser.close()
            except PlaywrightError as exc:
                log.warning("browser close failed", error=str(exc))
        if playwright is not None:
            await playwright.stop()
        if direct is not None:
            await direct.stop()
