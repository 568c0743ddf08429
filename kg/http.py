"""One polite HTTP client for every outside service (registry API, Crossref, DataCite, NCBI).

A shared ``requests`` session (kept-alive connections), timeouts, a client-side rate limit per
host, retries with exponential back-off on connection errors, timeouts, 429 and 5xx (honouring
``Retry-After``), never on other 4xx, and an optional on-disk cache of answers that are facts
(200, 404, 410): a second run asks nothing, and ``offline`` answers from the cache alone. The
cache is plain JSON files, one per request, so it can be shipped and reused.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

import requests

from kg import __version__

CACHEABLE = {200, 404, 410}
RETRYABLE = {429, 500, 502, 503, 504}


class HttpError(Exception):
    """A request that failed for good: refused connection, time-out, or retries exhausted."""


class NotCached(HttpError):
    """Offline, and the answer is not in the cache."""


class Answer(NamedTuple):
    url: str
    status: int
    content_type: str
    text: str
    from_cache: bool = False

    def json(self):
        return json.loads(self.text)


@dataclass
class HttpClient:
    user_agent: str = f"kg/{__version__}"
    cache_dir: Path | None = None
    offline: bool = False
    per_second: float = 5.0  # client-side rate limit, per host
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    max_wait: float = 120.0  # longest Retry-After honoured
    negative_ttl: float = 7 * 86400.0  # seconds a cached 404/410 answers for
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.user_agent
        self._last: dict[str, float] = {}
        self._unreachable: dict[str, str] = {}  # host -> why; not asked again in this run
        self.requests_made = 0

    def get(self, url: str, params: dict | None = None, headers: dict | None = None,
            allow_redirects: bool = True) -> Answer:
        full = f"{url}?{urlencode(sorted(params.items()))}" if params else url
        key = self._key(full, headers)
        cached = self._read(key)
        if cached is not None:
            return cached
        if self.offline:
            raise NotCached(f"offline and not in the cache: {full}")
        answer = self._fetch(full, headers or {}, allow_redirects)
        if answer.status in CACHEABLE:
            self._write(key, answer)
        return answer

    def _fetch(self, url: str, headers: dict, allow_redirects: bool) -> Answer:
        host = urlsplit(url).netloc
        if host in self._unreachable:
            raise HttpError(self._unreachable[host])
        for attempt in range(self.retries + 1):
            self._wait_turn(url)
            wait = self.backoff * 2 ** attempt
            try:
                self.requests_made += 1
                response = self.session.get(url, headers=headers, timeout=self.timeout,
                                            allow_redirects=allow_redirects)
            except requests.Timeout as exc:
                failure = f"no answer from {url} in {self.timeout:g} s"
                error: Exception = exc
            except requests.ConnectionError as exc:
                failure = f"cannot connect to {urlsplit(url).netloc}: {connection_reason(exc)}"
                error = exc
            else:
                if response.status_code not in RETRYABLE:
                    return Answer(response.url, response.status_code,
                                  response.headers.get("Content-Type", ""), response.text)
                failure = f"{url} answered HTTP {response.status_code}"
                error = None
                wait = max(wait, _retry_after(response.headers.get("Retry-After")) or 0)
            if attempt == self.retries:
                message = f"{failure} (after {self.retries + 1} tries)"
                if isinstance(error, requests.ConnectionError):
                    self._unreachable[host] = message
                raise HttpError(message) from error
            self.sleep(min(wait, self.max_wait))
        raise AssertionError("unreachable")

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc
        gap = 1.0 / self.per_second if self.per_second > 0 else 0.0
        now = time.monotonic()
        ready = self._last.get(host, 0.0) + gap
        if now < ready:
            self.sleep(ready - now)
        self._last[host] = max(now, ready)

    def _key(self, url: str, headers: dict | None) -> str:
        accept = (headers or {}).get("Accept", "")
        return hashlib.sha256(f"GET {url} {accept}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.json"

    def _read(self, key: str) -> Answer | None:
        if self.cache_dir is None:
            return None
        try:
            data = json.loads(self._path(key).read_text())
        except (OSError, ValueError):
            return None
        stale = time.time() - data.get("fetched", 0) > self.negative_ttl
        if data["status"] != 200 and stale and not self.offline:
            return None  # a 404 is a fact for a while, not for ever: ask again
        return Answer(data["url"], data["status"], data["content_type"], data["text"], True)

    def _write(self, key: str, answer: Answer) -> None:
        if self.cache_dir is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "w") as out:
            json.dump({"url": answer.url, "status": answer.status, "fetched": time.time(),
                       "content_type": answer.content_type, "text": answer.text}, out)
        os.replace(tmp, path)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):  # "soon": not a delay; the back-off decides instead
        return None
    return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def connection_reason(exc: Exception) -> str:
    """The useful part of a connection error: 'connection refused', not a traceback."""
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out"):
        if marker in text:
            return marker.lower()
    return text.splitlines()[0][:200]
