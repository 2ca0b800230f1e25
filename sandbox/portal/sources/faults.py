"""Misbehaviour on demand: 429s, 500s, timeouts, blocks and changed layouts, per path prefix."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

CAPTCHA_PAGE = ("<html><body><h1>Please verify you are human</h1>"
                "<div class='g-recaptcha' data-sitekey='x'></div></body></html>")


class FaultPlan(BaseModel):
    """Faults served in order to requests whose path starts with `path`, then normal answers.

    Each fault: `429:<retry-after s>`, `500`, `503`, `403`, `captcha`, `timeout:<s>` (answers
    after that long), `layout` (a JSON shape no adapter knows), `truncate:<n>` (lists only n),
    `drift` (HTML pages render with different selectors).
    """

    path: str = Field(min_length=1, max_length=300, pattern=r"^/")
    faults: list[str] = Field(max_length=1000)
    # `truncate` and `layout` stay in force for every request until cleared.
    sticky: bool = False


class Faults:
    """Thread-safe fault queues and request counts, shared by the source routers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plans: list[FaultPlan] = []
        self.requests: Counter[str] = Counter()

    def add(self, plan: FaultPlan) -> None:
        with self._lock:
            self._plans.append(plan.model_copy(update={"faults": list(plan.faults)}))

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()

    def next_fault(self, path: str) -> str | None:
        with self._lock:
            self.requests[path] += 1
            for plan in self._plans:
                if path.startswith(plan.path) and plan.faults:
                    return plan.faults[0] if plan.sticky else plan.faults.pop(0)
        return None

    async def apply(self, request: Request) -> Response | int | str | None:
        """A faulty answer, a truncation length, "drift", or None for a normal answer."""
        fault = self.next_fault(request.url.path)
        if fault is None:
            return None
        name, _, arg = fault.partition(":")
        if name == "429":
            return JSONResponse({"error": "Too Many Requests"}, status_code=429,
                                headers={"Retry-After": arg or "1"})
        if name in {"500", "502", "503", "403"}:
            return JSONResponse({"error": "fault"}, status_code=int(name))
        if name == "captcha":
            return HTMLResponse(CAPTCHA_PAGE)
        if name == "timeout":
            await asyncio.sleep(float(arg or "5"))
            return None
        if name == "layout":
            return JSONResponse({"data": {"items": [], "version": 2}})
        if name == "truncate":
            return int(arg or "0")
        if name == "drift":
            return "drift"
        raise ValueError(f"unknown fault {fault!r}")


def faults_router(faults: Faults) -> APIRouter:
    """`POST/DELETE /_sandbox/faults`, `GET /_sandbox/requests` for tests and demos."""
    router = APIRouter()

    @router.post("/_sandbox/faults")
    async def add_fault(plan: FaultPlan) -> dict[str, Any]:
        faults.add(plan)
        return {"queued": len(plan.faults), "path": plan.path}

    @router.delete("/_sandbox/faults")
    async def clear_faults() -> dict[str, bool]:
        faults.clear()
        return {"cleared": True}

    @router.get("/_sandbox/requests")
    async def request_counts() -> dict[str, int]:
        return dict(faults.requests)

    return router
