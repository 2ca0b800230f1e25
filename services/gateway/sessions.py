"""One reviewer's WebSocket session: presence on connect and disconnect, commands in between."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Literal

import structlog
from fastapi import WebSocket, WebSocketDisconnect

from infra.auth import TokenVerifier, same_origin
from infra.clock import Clock
from infra.presence import Presence
from infra.socket_sessions import close_when_ended
from schemas.events import review
from schemas.events.envelope import EventData
from services.gateway import protocol
from services.gateway.adapters.offers import RedisOfferBook, RedisReviewerBoard
from services.gateway.auth import FORBIDDEN, UNAUTHORIZED, reviewer_token
from services.gateway.hub import ReviewerConnection, ReviewerHub
from services.gateway.publisher import DirectPublisher

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ReviewerSessions:
    """Serves reviewer sockets with the ports it was given."""

    verifier: TokenVerifier
    presence: Presence
    offers: RedisOfferBook
    board: RedisReviewerBoard
    hub: ReviewerHub
    publisher: DirectPublisher
    clock: Clock

    async def serve(self, websocket: WebSocket, reviewer_id: uuid.UUID, token: str) -> None:
        """Run one socket until the client leaves or its token expires or is revoked; only
        that reviewer's own token, from one of our pages, opens it."""
        # Accept first: a close before accepting reaches the client as a bare HTTP 403, and
        # the page needs the 4401 code to tell a bad token from a dropped connection.
        await websocket.accept()
        if not same_origin(websocket):
            log.warning("reviewer socket refused: opened by a page of another origin",
                        reviewer_id=str(reviewer_id))
            await websocket.close(code=FORBIDDEN, reason="cross-origin socket refused")
            return
        verified = reviewer_token(self.verifier, token, reviewer_id)
        if verified is None:
            log.warning("reviewer socket refused: no valid token of this reviewer",
                        reviewer_id=str(reviewer_id))
            await websocket.close(code=UNAUTHORIZED, reason="unauthorized")
            return
        connection = ReviewerConnection(reviewer_id, websocket, verified)
        # Registered before announcing, so the assignment this triggers finds the socket.
        self.hub.add(connection)
        closer = asyncio.create_task(self._close_when_ended(connection, websocket))
        try:
            await self.presence.connect(reviewer_id, connection.id, self.clock.now())
            await self._announce(reviewer_id, "available")
            if (state := await self.board.state(reviewer_id)) is not None:
                await connection.send(protocol.reviewer_update(**state))
            # A page that reconnects resumes where it was: its offers and accepted tasks.
            for offer in await self.offers.open_offers(reviewer_id):
                await connection.send(offer)
            while True:
                frame = await websocket.receive()
                if frame["type"] == "websocket.disconnect":
                    break
                if not self.verifier.usable(connection.token):
                    # Expired or revoked between two checks: nothing it sends is carried out.
                    connection.ended.set()
                    break
                await self._handle(connection, frame.get("text"))
        except WebSocketDisconnect:
            pass
        finally:
            if connection.ended.is_set():
                await closer
            closer.cancel()
            self.hub.remove(connection)
            if await self.presence.release(reviewer_id, connection.id, self.clock.now()):
                await self._announce(reviewer_id, "offline")

    async def _close_when_ended(self, connection: ReviewerConnection,
                                websocket: WebSocket) -> None:
        """Close with 4401 when the token expires or is revoked, whichever comes first."""
        # The page refreshes its session on 4401 and reconnects, or goes to the login page.
        await close_when_ended(connection.ended, connection.token, self.clock, websocket)

    async def _handle(self, connection: ReviewerConnection, text: str | None) -> None:
        try:
            message = protocol.parse(text)
        except protocol.BadMessage as bad:
            await connection.send(protocol.error(str(bad)))
            return
        reviewer_id = connection.reviewer_id
        if isinstance(message, protocol.Heartbeat):
            if await self.presence.touch(reviewer_id, connection.id, self.clock.now()):
                await self._announce(reviewer_id, "available")
            await connection.send(protocol.ack("heartbeat"))
            return
        if isinstance(message, protocol.SetStatus):
            await self.presence.set_status(reviewer_id, connection.id, message.status,
                                           self.clock.now())
            await self._announce(reviewer_id, message.status)
            await connection.send(protocol.ack("status"))
            return
        command = _command(message, reviewer_id)
        try:
            await self.publisher.publish(command)
        except Exception:  # the bus is down: say so; the reviewer can simply send it again
            log.exception("command not published", command=message.type)
            await connection.send(protocol.error("could not send the command; try again"))
            return
        await connection.send(protocol.ack(message.type, message.task_id))

    async def _announce(
        self, reviewer_id: uuid.UUID, status: Literal["available", "away", "offline"]
    ) -> None:
        try:
            await self.publisher.publish(review.ReviewerPresenceChanged(reviewer_id=reviewer_id,
                                                                 status=status))
        except Exception:  # presence already holds the truth; the workflow's sweep reads it
            log.exception("presence event not published", status=status)


def _command(
    message: protocol.Accept | protocol.Complete | protocol.Reject | protocol.HandBack,
    reviewer_id: uuid.UUID,
) -> EventData:
    """The bus command for a task message; the reviewer id comes from the authenticated path."""
    if isinstance(message, protocol.Accept):
        return review.AcceptReviewTask(task_id=message.task_id, reviewer_id=reviewer_id)
    if isinstance(message, protocol.Complete):
        return review.CompleteReviewTask(task_id=message.task_id, reviewer_id=reviewer_id,
                                  resume_version_id=message.resume_version_id)
    if isinstance(message, protocol.HandBack):
        return review.HandBackReviewTask(task_id=message.task_id, reviewer_id=reviewer_id)
    return review.RejectReviewTask(task_id=message.task_id, reviewer_id=reviewer_id,
                            reason=message.reason)
