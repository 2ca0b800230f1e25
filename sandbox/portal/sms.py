"""A stand-in for Twilio's Programmable Messaging API: send and list SMS, as Twilio answers.

`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form fields To, From, Body; HTTP basic
auth with the account SID and auth token) answers 201 with the Message resource (`sid`,
`status` "queued", ...); `GET` on the same path lists messages newest first, filtered by To and
From. Errors carry Twilio's JSON shape and codes (20003, 21211, 21602, 21603). Faults queued
at `POST /_sandbox/faults` for a path under `/2010-04-01/` apply to sending only: `429:<s>`,
`500`, `503` answer before the message is taken; `timeout:<s>` takes the message and then
answers that late, the case where a sender cannot know whether it went out.
"""

from __future__ import annotations

import asyncio
import base64
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sandbox.portal.sources.faults import Faults

API_VERSION = "2010-04-01"
# The sandbox's own account; a test or `make run` points the notifications service at it.
SANDBOX_ACCOUNT_SID = "AC" + "5a" * 16
SANDBOX_AUTH_TOKEN = "sandbox-sms-auth-token"
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")


SANDBOX_SENDER = "+15005550006"


def sandbox_sms(portal_url: str) -> dict[str, Any]:
    """The notifications service's settings that send text messages to this stand-in."""
    return {"sms_api_url": portal_url, "sms_account_sid": SANDBOX_ACCOUNT_SID,
            "sms_auth_token": SANDBOX_AUTH_TOKEN, "sms_from": SANDBOX_SENDER}


@dataclass(frozen=True)
class SmsAccount:
    account_sid: str = SANDBOX_ACCOUNT_SID
    auth_token: str = SANDBOX_AUTH_TOKEN

    def authorises(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return secrets.compare_digest(header or "", f"Basic {expected}")


@dataclass
class SmsLedger:
    """Every message the provider took, in order; thread-safe (tests read it from another)."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, message: dict[str, Any]) -> None:
        with self._lock:
            self.messages.append(message)

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.messages)


def twilio_error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "status": status,
                         "more_info": f"https://www.twilio.com/docs/errors/{code}"},
                        status_code=status)


def message_resource(account_sid: str, to: str, sender: str, body: str,
                     now: datetime) -> dict[str, Any]:
    """Twilio's Message resource as its create call answers it."""
    sid = "SM" + secrets.token_hex(16)
    stamp = format_datetime(now)
    return {
        "sid": sid, "account_sid": account_sid, "api_version": API_VERSION, "to": to,
        "from": sender, "body": body, "status": "queued", "direction": "outbound-api",
        # GSM-7: one segment holds 160 characters, each of a concatenated message 153.
        "num_segments": str(1 if len(body) <= 160 else -(-len(body) // 153)),
        "num_media": "0", "date_created": stamp, "date_updated": stamp, "date_sent": None,
        "price": None, "price_unit": "USD", "error_code": None, "error_message": None,
        "messaging_service_sid": None,
        "uri": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}.json",
    }


def _refusal(form: dict[str, str]) -> JSONResponse | None:
    to, sender = form.get("To", ""), form.get("From", "")
    if not to:
        return twilio_error(400, 21604, "A 'To' phone number is required.")
    if not _E164.match(to):
        return twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    if not sender:
        return twilio_error(400, 21603, "A 'From' phone number is required.")
    if not form.get("Body"):
        return twilio_error(400, 21602, "Message body is required.")
    return None


def sms_router(ledger: SmsLedger, faults: Faults, account: SmsAccount | None = None) -> APIRouter:
    """Twilio's Messages list resource over `ledger`, misbehaving as `faults` say."""
    account = account or SmsAccount()
    router = APIRouter()
    path = f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json"

    def authorised(request: Request, account_sid: str) -> bool:
        return (account_sid == account.account_sid
                and account.authorises(request.headers.get("authorization")))

    @router.post(path)
    async def create_message(request: Request, account_sid: str) -> Response:
        if not authorised(request, account_sid):
            return twilio_error(401, 20003, "Authenticate")
        fault = faults.next_fault(request.url.path)
        name, _, arg = (fault or "").partition(":")
        if name == "429":
            return JSONResponse({"code": 20429, "message": "Too Many Requests", "status": 429},
                                status_code=429, headers={"Retry-After": arg or "1"})
        if name in {"500", "502", "503"}:
            return twilio_error(int(name), 20500, "An internal server error has occurred")
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        refused = _refusal(form)
        if refused is not None:
            return refused
        message = message_resource(account_sid, form["To"], form["From"], form["Body"],
                                   datetime.now(UTC))
        ledger.add(message)
        if name == "timeout":
            await asyncio.sleep(float(arg or "5"))
        return JSONResponse(message, status_code=201)

    @router.get(path)
    async def list_messages(request: Request, account_sid: str) -> Response:
        if not authorised(request, account_sid):
            return twilio_error(401, 20003, "Authenticate")
        query = request.query_params
        size = int(query.get("PageSize", "50")) if query.get("PageSize", "").isdecimal() else 50
        chosen = [m for m in reversed(ledger.all())
                  if query.get("To") in (None, m["to"]) and query.get("From") in (None, m["from"])]
        page = chosen[:size]
        return JSONResponse({
            "messages": page, "page": 0, "page_size": size, "start": 0,
            "end": max(len(page) - 1, 0), "next_page_uri": None, "previous_page_uri": None,
            "first_page_uri": str(request.url.path), "uri": str(request.url.path)})

    @router.get("/_sandbox/sms")
    async def sent() -> list[dict[str, Any]]:
        """What the provider took, oldest first: tests read what was sent here."""
        return ledger.all()

    return router
