"""uvicorn's HTTP/1.1 protocol with a deadline on reading each request (slowloris).

uvicorn closes a connection idle between requests (keep-alive), but not one that opens and
then sends its headers, or its body, a byte at a time: a few hundred such connections hold
every slot of the server. Here each request must arrive whole, headers and body, within
``--request-timeout`` seconds (10 by default) of the connection opening or of the previous response ending;
otherwise the connection is closed. A request read whole is not timed (a slow query has the
endpoint's own deadline).
"""

from __future__ import annotations

import asyncio
import os

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

READ = (h11.IDLE, h11.SEND_BODY)  # the client is still sending its request
TIMEOUT_ENV = "KG_SERVE_REQUEST_TIMEOUT"  # set by kg serve; server processes inherit it


class GuardedH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._reading: asyncio.TimerHandle | None = None
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        timeout = float(os.environ.get(TIMEOUT_ENV, "10"))
        self._reading = self.loop.call_later(timeout, self._too_slow)

    def _disarm(self) -> None:
        if getattr(self, "_reading", None) is not None:
            self._reading.cancel()
            self._reading = None

    def _too_slow(self) -> None:
        self._reading = None
        if self.conn.their_state in READ and not self.transport.is_closing():
            self.transport.close()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state not in READ:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

