"""Text messages through Twilio's Programmable Messaging API (or the sandbox's stand-in).

`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with To, From and Body, basic auth with
the account SID and auth token. Twilio takes no idempotency key for messages, so before each
send the sender lists the latest messages to that number and sends only if none carries this
notification's text (which ends in a reference unique to it): a crash between the provider
taking a message and the service recording it never sends it twice.
"""

from __future__ import annotations

from typing import Any

import httpx

from infra.clock import Clock
from services.notifications.adapters.channels import DeliveryFailed
from services.notifications.adapters.http import call, refusal

# Twilio's error codes for a number that can never receive this message.
_UNREACHABLE = {21211: "not a valid phone number", 21610: "the recipient replied STOP",
                21614: "not a mobile number", 21408: "region not enabled"}
# How far back the lookup reads: a retried message is among the latest to its number.
LOOKUP_PAGE_SIZE = 50


class TwilioSmsSender:
    """One message per notification, looked up at the provider before any (re)send."""

    def __init__(self, clock: Clock, *, api_url: str, account_sid: str | None,
                 auth_token: str | None, from_number: str | None, timeout_s: float,
                 client: httpx.AsyncClient | None = None) -> None:
        self._clock = clock
        self._messages_url = (f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}"
                              "/Messages.json")
        self._auth = (account_sid or "", auth_token or "")
        self._from = from_number
        self._configured = bool(account_sid and auth_token and from_number)
        self._timeout_s = timeout_s
        self._client = client

    async def send(self, payload: dict[str, Any]) -> None:
        if not self._configured:
            raise DeliveryFailed("SMS is not configured (JAMS_SMS_ACCOUNT_SID, "
                                 "JAMS_SMS_AUTH_TOKEN, JAMS_SMS_FROM)")
        if await self._sent_before(payload["to"], payload["body"]):
            return
        response = await call(self._client, "POST", self._messages_url, auth=self._auth,
                              data={"To": payload["to"], "From": self._from,
                                    "Body": payload["body"]}, timeout_s=self._timeout_s)
        if response.status_code != 201:
            raise self._refused(response)

    async def _sent_before(self, to: str, body: str) -> bool:
        response = await call(self._client, "GET", self._messages_url, auth=self._auth,
                              params={"To": to, "From": self._from,
                                      "PageSize": LOOKUP_PAGE_SIZE},
                              timeout_s=self._timeout_s)
        if not response.is_success:
            # Not knowing whether it went out, do not send it blind: try again later.
            failed = self._refused(response)
            raise DeliveryFailed(f"lookup {failed.reason}", permanent=failed.permanent,
                                 retry_after_s=failed.retry_after_s)
        messages = response.json().get("messages", [])
        return any(m.get("body") == body and m.get("status") not in ("failed", "undelivered")
                   for m in messages)

    def _refused(self, response: httpx.Response) -> DeliveryFailed:
        try:
            code = int(response.json().get("code") or 0)
        except (ValueError, AttributeError):
            code = 0
        if code in _UNREACHABLE:
            return DeliveryFailed(f"HTTP {response.status_code}: Twilio {code} "
                                  f"({_UNREACHABLE[code]})", permanent=True)
        return refusal(response, self._clock.now(), f"Twilio {code}" if code else "")
