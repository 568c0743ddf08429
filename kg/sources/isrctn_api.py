"""Records live from the ISRCTN registry's API (``https://www.isrctn.com/api``): a trial by its
ISRCTN (``/trial/{ISRCTN}/format/default``) or a search (``/query/format/default?q=…``).

The API has no pages: a search asked with ``limit=0`` says how many trials it finds
(``totalCount``) and is then asked once for them all, up to ``--max`` (and never more than
:data:`MOST`, as the registry advises). Requests go through the one polite
:class:`~kg.http.HttpClient` (rate limit, time-outs, back-off on 429 and 5xx honouring
``Retry-After``, no retry of 400 or 404), as the ClinicalTrials.gov client's do. Answers are the
API's XML, read by :mod:`kg.sources.isrctn_xml` like a file of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg import __version__
from kg.errors import RecordError
from kg.http import HttpClient, HttpError
from kg.sources.api import SearchError
from kg.sources.units import RawUnit

ISRCTN_URL = "https://www.isrctn.com/api"
ISRCTN_URL_ENV = "KG_ISRCTN_URL"
MOST = 10_000  # trials a search asks for at once
_ISRCTN = re.compile(r"(?i)(?:ISRCTN)?\s*([0-9]{8})")
_TOTAL = re.compile(rb'<allTrials\b[^>]*\btotalCount="([0-9]+)"')


class IsrctnClient:
    def __init__(self, base_url: str = ISRCTN_URL, http: HttpClient | None = None):
        self.base_url = base_url.rstrip("/")
        self.http = http or HttpClient(user_agent=f"kg/{__version__} (clinical-trial knowledge "
                                                  f"graph exporter)", per_second=1.0)
        self.total: int | None = None

    def trial(self, isrctn: str) -> RawUnit:
        """One trial's ``<allTrials>`` document; a 404 or an answer without it, a RecordError."""
        origin = f"isrctn-api:{isrctn}"
        match = _ISRCTN.fullmatch(isrctn.strip())
        if match is None:
            return RawUnit(origin, None, RecordError(f"not an ISRCTN: {isrctn!r}", origin=origin))
        number = f"ISRCTN{match.group(1)}"
        try:
            answer = self.http.get(f"{self.base_url}/trial/{number}/format/default")
        except HttpError as exc:
            return RawUnit(origin, None, RecordError(str(exc), origin=origin, nct_id=number))
        if answer.status == 200 and "<fullTrial" in answer.text:
            return RawUnit(origin, answer.text.encode())
        reason = "no such trial (HTTP 404)" if answer.status == 404 else \
            "no such trial (the answer holds no <fullTrial>)" if answer.status == 200 else \
            f"HTTP {answer.status}: {' '.join(answer.text.split())[:200]}"
        return RawUnit(origin, None, RecordError(reason, origin=origin, nct_id=number))

    def trials(self, ids: list[str]) -> Iterator[RawUnit]:
        for isrctn in ids:
            yield self.trial(isrctn)

    def search(self, query: str, limit: int | None = None) -> Iterator[RawUnit]:
        """The trials a search finds, as one document (the API has no pages)."""
        total = _TOTAL.search(self._query(query, 0))
        if total is None:
            raise SearchError("ISRCTN's answer to the search has no totalCount")
        self.total = int(total.group(1))
        wanted = min(self.total, limit or MOST, MOST)
        if wanted == 0:
            return
        yield RawUnit(f"isrctn-api:search {query!r}", self._query(query, wanted))

    def _query(self, query: str, limit: int) -> bytes:
        try:
            answer = self.http.get(f"{self.base_url}/query/format/default",
                                   params={"q": query, "limit": str(limit)})
        except HttpError as exc:
            raise SearchError(str(exc)) from exc
        if answer.status != 200:
            raise SearchError(f"ISRCTN refused the search (HTTP {answer.status}): "
                              f"{' '.join(answer.text.split())[:300]}")
        return answer.text.encode()
