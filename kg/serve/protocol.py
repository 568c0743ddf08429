"""uvicorn's HTTP/1.1 protocol with deadlines on reading each request and a cap on one
client's connections (slowloris).

uvicorn closes a connection idle between requests (keep-alive), but not one that opens and
then sends its headers, or its body, a byte at a time: a few hundred such connections hold
every slot of the server. Here a request's headers must arrive within ``--header-timeout``
seconds (5 by default) of the connection opening or of the previous response ending, and the
whole request, headers and body, within ``--request-timeout`` (10); otherwise the connection is
closed. A request read whole is not timed (a slow query has the endpoint's own deadline). One
client address holds at most ``--max-per-client`` connections (64) of a server process, so one
host sending half requests cannot take every slot of ``--max-connections``: a connection past
its share is closed at once.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

READ = (h11.IDLE, h11.SEND_BODY)  # the client is still sending its request
TIMEOUT_ENV = "KG_SERVE_REQUEST_TIMEOUT"  # set by kg serve; server processes inherit them
HEADER_TIMEOUT_ENV = "KG_SERVE_HEADER_TIMEOUT"
PER_CLIENT_ENV = "KG_SERVE_MAX_PER_CLIENT"


class GuardedH11Protocol(H11Protocol):
    open_by_client: Counter[str] = Counter()  # this process's connections, by client address

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._reading: asyncio.TimerHandle | None = None
        peer = transport.get_extra_info("peername")
        self._client = peer[0] if isinstance(peer, tuple) and peer else ""
        self.open_by_client[self._client] += 1
        if self.open_by_client[self._client] > int(os.environ.get(PER_CLIENT_ENV, "64")):
            transport.close()  # past this client's share of the server's connections
            return
        self._arm()

    def _arm(self) -> None:
        """The deadline of a request's headers, from now; once they are read, what is left of
        the whole request's."""
        self._disarm()
        self._started = self.loop.time()
        header = float(os.environ.get(HEADER_TIMEOUT_ENV, "5"))
        whole = float(os.environ.get(TIMEOUT_ENV, "10"))
        self._reading = self.loop.call_later(min(header, whole), self._too_slow)
        self._headers_read = False

    def _arm_body(self) -> None:
        self._disarm()
        left = float(os.environ.get(TIMEOUT_ENV, "10")) - (self.loop.time() - self._started)
        self._reading = self.loop.call_later(max(left, 0.0), self._too_slow)
        self._headers_read = True

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
        elif self.conn.their_state == h11.SEND_BODY and not getattr(self, "_headers_read", True):
            self._arm_body()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        client = getattr(self, "_client", None)
        if client is not None:
            self.open_by_client[client] -= 1
            if self.open_by_client[client] <= 0:
                del self.open_by_client[client]
        super().connection_lost(exc)

