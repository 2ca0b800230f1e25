"""Greenhouse's public Job Board API (or the sandbox portal, which answers the same)."""

from __future__ import annotations

from typing import Any

import httpx

from services.job_discovery.domain import BadPosting, board_jobs
from services.job_discovery.settings import GreenhouseBoard

USER_AGENT = "JAMS-job-discovery/0.1"


class GreenhouseError(RuntimeError):
    """A board could not be read, or answered with something other than its documented JSON."""


def make_http_client(timeout_s: float) -> httpx.AsyncClient:
    """An HTTP client with bounded connect and read times, for the scraper to own."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_s, connect=min(5.0, timeout_s)),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
    )


class GreenhouseClient:
    """Reads whole boards: Greenhouse returns every job of a board in one answer."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def board_jobs(self, board: GreenhouseBoard) -> list[dict[str, Any]]:
        """Every open job of `board`, with its description (`content=true`)."""
        url = f"{board.api_base.rstrip('/')}/v1/boards/{board.board_token}/jobs"
        where = f"greenhouse board {board.board_token!r} at {board.api_base}"
        try:
            response = await self._http.get(url, params={"content": "true"})
        except httpx.HTTPError as exc:
            raise GreenhouseError(f"{where}: request failed: {exc!r}") from exc
        if response.status_code == 404:
            raise GreenhouseError(f"{where}: no such board (HTTP 404)")
        if response.status_code != 200:
            raise GreenhouseError(f"{where}: HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError:
            kind = response.headers.get("content-type", "no content type")
            raise GreenhouseError(
                f"{where}: answer is not JSON ({kind}): {response.text[:80]!r}"
            ) from None
        try:
            return board_jobs(payload)
        except BadPosting as exc:
            raise GreenhouseError(f"{where}: unexpected shape: {exc}") from exc
