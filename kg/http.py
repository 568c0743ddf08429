"""One polite HTTP client for every outside service (registry API, Crossref, DataCite, NCBI).

Built from the libraries that do each part: ``requests`` (a kept-alive session, timeouts),
urllib3's ``Retry`` (retries with exponential back-off on connection errors, time-outs, 429
and 5xx, honouring ``Retry-After``; never on other 4xx) and ``requests-cache`` (an on-disk cache
of the answers that are facts, 200, 404 and 410, as one JSON file per answer so it can be
shipped; ``offline`` answers from it alone). What is this project's own: a client-side rate
limit per host, a 404 that is asked again after a week (a DOI may be registered since), an
unreadable ``Retry-After`` that falls back to the back-off, and one-line errors.
"""

from __future__ import annotations

import email.utils
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from kg import __version__

CACHEABLE = (200, 404, 410)
DEADLINE_ENV = "KG_HTTP_DEADLINE"
BREAKER = 2  # requests timed out in a row after which a host is not asked again in a run
RETRYABLE = frozenset({429, 500, 502, 503, 504})


class HttpError(Exception):
    """A request that failed for good: refused connection, time-out, or retries exhausted
    (``status`` then holds the last HTTP status, so a caller can tell a rate limit)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotCached(HttpError):
    """Offline, and the answer is not in the cache."""


class DeadlinePassed(HttpError):
    """An answer that kept coming for longer than the client's deadline."""


class Answer(NamedTuple):
    url: str
    status: int
    content_type: str
    text: str
    from_cache: bool = False
    date: str | None = None  # the server's Date header: when the answer was given

    def json(self):
        return json.loads(self.text)


class _Retry(Retry):
    """urllib3's retry policy with this client's waits: ``backoff * 2**(n-1)`` from the first
    retry, or longer if the server's ``Retry-After`` says so (a number or an HTTP date; an
    unreadable one is ignored), never more than ``cap``, slept through the client's ``sleeper``
    so that tests can see the waits."""

    sleeper: Callable[[float], None] = time.sleep
    cap: float = 120.0

    def new(self, **kwargs) -> _Retry:
        retry = super().new(**kwargs)
        retry.sleeper, retry.cap = self.sleeper, self.cap
        return retry

    def get_backoff_time(self) -> float:
        return self.backoff_factor * 2 ** (len(self.history) - 1) if self.history else 0.0

    def get_retry_after(self, response) -> float | None:
        return retry_after(response.headers.get("Retry-After"))

    def sleep(self, response=None) -> None:
        wait = self.get_backoff_time()
        after = self.get_retry_after(response) if response is not None else None
        wait = max(wait, after or 0.0)
        if wait > 0:
            self.sleeper(min(wait, self.cap))


@dataclass
class HttpClient:
    user_agent: str = f"kg/{__version__}"
    cache_dir: Path | None = None
    offline: bool = False
    per_second: float = 5.0  # client-side rate limit, per host
    host_rates: dict[str, float] = field(default_factory=dict)  # a host's own documented limit
    timeout: float = 30.0  # seconds without a byte before a read gives up
    # Seconds a whole answer may take, however it drips (a slow-drip server would otherwise
    # hold a sync, and its store lock, for ever); KG_HTTP_DEADLINE sets it.
    deadline: float = field(default_factory=lambda: float(os.environ.get(DEADLINE_ENV, "300")))
    retries: int = 4
    backoff: float = 1.0
    max_wait: float = 120.0  # longest Retry-After honoured
    negative_ttl: float = 7 * 86400.0  # seconds a cached 404/410 answers for
    sleep: Callable[[float], None] = time.sleep
    # where a problem that costs the cache, not the run, is told (one line)
    warn: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr))

    def __post_init__(self) -> None:
        if self.cache_dir is not None and (problem := _unusable(self.cache_dir)):
            if self.offline and self.cache_dir.is_dir():  # read-only: its answers still serve
                self.warn(f"warning: the cache {self.cache_dir} is read, not written: {problem}")
            else:
                self.warn(f"warning: the cache {self.cache_dir} is not used: {problem}")
                self.cache_dir = None
        self._session()

    def _session(self) -> None:
        if self.cache_dir is not None:
            import sqlite3

            import requests_cache

            try:
                self.session = requests_cache.CachedSession(
                    str(self.cache_dir), backend="filesystem", serializer="json",
                    allowable_codes=CACHEABLE, expire_after=requests_cache.NEVER_EXPIRE,
                    match_headers=["Accept"])
            except (OSError, sqlite3.Error) as exc:
                self.warn(f"warning: the cache {self.cache_dir} is not used: {exc}")
                self.cache_dir = None
        if self.cache_dir is None:
            self.session = requests.Session()
        self.session.headers["User-Agent"] = self.user_agent
        retry = _Retry(total=self.retries, connect=self.retries, read=self.retries,
                       status=self.retries, other=0, backoff_factor=self.backoff,
                       status_forcelist=RETRYABLE, allowed_methods={"GET"},
                       respect_retry_after_header=True, raise_on_status=False,
                       raise_on_redirect=False)
        retry.sleeper, retry.cap = self.sleep, self.max_wait
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        if hasattr(self, "_last"):
            return  # the session made again without its cache: the run's state stays
        self._last: dict[str, float] = {}
        self._unreachable: dict[str, str] = {}  # host -> why; not asked again in this run
        self._timeouts: dict[str, int] = {}  # host -> requests timed out in a row
        self.requests_made = 0

    def get(self, url: str, params: dict | None = None, headers: dict | None = None,
            allow_redirects: bool = True) -> Answer:
        full = f"{url}?{urlencode(sorted(params.items()))}" if params else url
        cached = self._cached(full, headers)
        if cached is not None:
            return cached
        if self.offline:
            raise NotCached(f"offline and not in the cache: {full}")
        return self._fetch(full, headers or {}, allow_redirects)

    def _cached(self, url: str, headers: dict | None) -> Answer | None:
        """The cached answer, unless it is a 404/410 older than ``negative_ttl`` (offline, any
        cached answer will do)."""
        if self.cache_dir is None:
            return None
        response = self.session.get(url, headers=headers, only_if_cached=True,
                                    timeout=self.timeout)
        if response.status_code not in CACHEABLE:  # requests-cache's 504: not in the cache
            return None
        age = time.time() - response.created_at.timestamp()
        if response.status_code != 200 and age > self.negative_ttl and not self.offline:
            return None
        return _answer(response, from_cache=True)

    def _fetch(self, url: str, headers: dict, allow_redirects: bool) -> Answer:
        host = urlsplit(url).netloc
        if host in self._unreachable:
            raise HttpError(self._unreachable[host])
        self._wait_turn(host)
        tries = f"(after {self.retries + 1} tries)"
        options = {"force_refresh": True} if self.cache_dir is not None else {}
        try:
            response = self._get_whole(url, headers, allow_redirects, options)
        except requests.Timeout as exc:
            self.requests_made += self.retries + 1
            raise self._timed_out(host, url, tries) from exc
        except requests.ConnectionError as exc:
            self.requests_made += self.retries + 1
            if _read_timed_out(exc):  # urllib3 ends retried read time-outs this way
                raise self._timed_out(host, url, tries) from exc
            message = f"cannot connect to {host}: {connection_reason(exc)} {tries}"
            self._unreachable[host] = message
            raise HttpError(message) from exc
        except requests.RequestException as exc:  # cut short, too many redirects, bad body
            self.requests_made += 1
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise HttpError(f"{url}: {reason} {tries}") from exc
        self._timeouts.pop(host, None)
        history = getattr(getattr(response.raw, "retries", None), "history", ()) or ()
        self.requests_made += len(history) + 1
        if response.status_code in RETRYABLE:
            raise HttpError(f"{url} answered HTTP {response.status_code} {tries}",
                            response.status_code)
        return _answer(response)

    def _timed_out(self, host: str, url: str, tries: str) -> HttpError:
        """The error for a request that timed out; after :data:`BREAKER` in a row the host is
        not asked again in this run (a slow service would otherwise cost minutes an item)."""
        self._timeouts[host] = self._timeouts.get(host, 0) + 1
        message = f"no answer from {url} in {self.timeout:g} s {tries}"
        if self._timeouts[host] >= BREAKER:
            self._unreachable[host] = (f"{host} is not asked again in this run: its last "
                                       f"{BREAKER} requests timed out")
        return HttpError(message)

    def _get_whole(self, url: str, headers: dict, allow_redirects: bool,
                   options: dict) -> requests.Response:
        """The answer read to its end: one whose body is cut short on the way (the connection
        closed before its Content-Length) is asked for again, as the retries allow."""
        for attempt in range(self.retries):
            try:
                return self._get_within_deadline(url, headers, allow_redirects, options)
            except (requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError):
                self.requests_made += 1
                self.sleep(self.backoff * 2 ** attempt)
        return self._get_within_deadline(url, headers, allow_redirects, options)

    def _get_within_deadline(self, url: str, headers: dict, allow_redirects: bool,
                             options: dict) -> requests.Response:
        """The answer, its body read as it comes and given up past :attr:`deadline`. (With
        the on-disk cache, requests-cache reads the body itself; the per-read time-out then
        bounds each read, not the whole.)"""
        if self.cache_dir is not None:
            try:
                return self.session.get(url, headers=headers, timeout=self.timeout,
                                        allow_redirects=allow_redirects, **options)
            except requests.RequestException:
                raise
            except OSError as exc:  # the cache could not be written (a full disk, read-only)
                self.warn(f"warning: the cache {self.cache_dir} is no longer used: "
                          f"{exc.strerror or exc}")
                self.cache_dir = None
                self._session()
        started = time.monotonic()
        response = self.session.get(url, headers=headers, timeout=self.timeout,
                                    allow_redirects=allow_redirects, stream=True)
        body = bytearray()
        with response:
            for chunk in response.iter_content(1 << 16):
                body += chunk
                if time.monotonic() - started > self.deadline:
                    raise DeadlinePassed(f"{url} did not finish its answer within "
                                         f"{self.deadline:g} s ({len(body):,} bytes read)")
        response._content = bytes(body)  # what requests itself does when it reads a body
        return response

    def _wait_turn(self, host: str) -> None:
        rate = self.host_rates.get(host, self.per_second)
        gap = 1.0 / rate if rate > 0 else 0.0
        now = time.monotonic()
        ready = self._last.get(host, 0.0) + gap
        if now < ready:
            self.sleep(ready - now)
        self._last[host] = max(now, ready)


def _unusable(directory: Path) -> str | None:
    """Why a cache directory cannot be used (it names a file, it cannot be made or written),
    or None."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".kg-probe-"):
            pass
    except FileExistsError:
        return "it is a file, not a directory"
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _read_timed_out(exc: requests.ConnectionError) -> bool:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, ReadTimeoutError)


def _answer(response: requests.Response, from_cache: bool = False) -> Answer:
    return Answer(response.url, response.status_code, response.headers.get("Content-Type", ""),
                  response.text, from_cache, response.headers.get("Date"))


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number, or an HTTP date; None otherwise."""
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
