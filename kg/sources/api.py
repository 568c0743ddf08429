"""Records live from the ClinicalTrials.gov API v2: by NCT id, by search (paged), since a date.

Built on :class:`~kg.http.HttpClient`: one session, time-outs, a client-side rate limit (one
request a second by default, the registry's robots.txt crawl delay), back-off on connection
errors, 429 and 5xx honouring ``Retry-After``, never a retry of 400 or 404. A search sends the
same parameters on every page but the page token, and ``countTotal`` on the first page only.
Every record comes out as a :class:`~kg.sources.files.RawUnit`, like records read from disk.
"""

from __future__ import annotations

import datetime
import email.utils
import re
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

from kg import __version__
from kg.errors import RecordError
from kg.http import HttpClient, HttpError
from kg.sources.units import RawUnit

API_URL = "https://clinicaltrials.gov/api/v2"
API_URL_ENV = "KG_API_URL"
PAGE_SIZE = 1000
_NCT = re.compile(r"[Nn][Cc][Tt]0*[1-9][0-9]{0,7}")


class SearchError(Exception):
    """A search the registry refused (HTTP 400 with its text), or could not be reached."""


@dataclass
class Search:
    """The query of ``GET /studies``; empty parts are not sent."""

    query: str | None = None
    condition: str | None = None
    filter_advanced: str | None = None
    statuses: tuple[str, ...] = ()
    since: str | None = None  # last update posted on or after this date (yyyy-MM-dd)
    fields: str | None = None  # only these fields of each study (``NCTId``)

    def params(self) -> dict[str, str]:
        advanced = [f for f in (self.filter_advanced,) if f]
        if self.since:
            advanced.append(f"AREA[LastUpdatePostDate]RANGE[{self.since},MAX]")
        params = {
            "query.term": self.query,
            "query.cond": self.condition,
            "filter.advanced": " AND ".join(f"({a})" if len(advanced) > 1 else a
                                            for a in advanced) or None,
            "filter.overallStatus": "|".join(self.statuses) or None,
            "fields": self.fields,
            "pageSize": str(PAGE_SIZE),
            "format": "json",
        }
        return {k: v for k, v in params.items() if v}


class RegistryClient:
    def __init__(self, base_url: str = API_URL, http: HttpClient | None = None):
        self.base_url = base_url.rstrip("/")
        self.http = http or HttpClient(user_agent=f"kg/{__version__} (clinical-trial knowledge "
                                                  f"graph exporter)", per_second=1.0)
        self.total: int | None = None
        self.answer_day: str | None = None  # the registry's own date (UTC) on its last answer

    def study(self, nct_id: str) -> RawUnit:
        """One study; a 301 alias is followed to the current record; a 404 is a RecordError."""
        origin = f"api:{nct_id}"
        if not _NCT.fullmatch(nct_id.strip()):
            return RawUnit(origin, None, RecordError(f"not an NCT id: {nct_id!r}", origin=origin))
        try:
            answer = self.http.get(f"{self.base_url}/studies/{nct_id.strip().upper()}",
                                   params={"format": "json"})
        except HttpError as exc:
            return RawUnit(origin, None, RecordError(str(exc), origin=origin, nct_id=nct_id))
        if answer.status == 200:
            return RawUnit(origin, answer.text.encode())
        reason = "no such study (HTTP 404)" if answer.status == 404 else \
            f"HTTP {answer.status}: {' '.join(answer.text.split())[:200]}"
        return RawUnit(origin, None, RecordError(reason, origin=origin, nct_id=nct_id))

    def studies(self, nct_ids: list[str]) -> Iterator[RawUnit]:
        for nct_id in nct_ids:
            yield self.study(nct_id)

    def nct_ids(self) -> Iterator[str]:
        """Every NCT id the registry lists (``fields=NCTId``, a thousand a page); ``total``
        holds what the registry said it would list, to be compared with what came."""
        for unit in self.search(Search(fields="NCTId")):
            study = orjson.loads(unit.data)
            nct_id = study.get("protocolSection", {}).get("identificationModule", {}).get("nctId")
            if isinstance(nct_id, str):
                yield nct_id.strip().upper()

    def search(self, search: Search, limit: int | None = None) -> Iterator[RawUnit]:
        """Every study a search finds, page after page, in the registry's order.

        A page token met twice, or an empty page that points to another, is a loop (a proxy or
        a registry defect would otherwise keep the run going forever): a SearchError.
        """
        params = search.params()
        self.total = None
        token: str | None = None
        tokens: set[str] = set()
        page = 0
        count = 0
        while True:
            page += 1
            this = dict(params, **({"pageToken": token} if token else {"countTotal": "true"}))
            document = self._page(this, page)
            studies = document["studies"]
            if page == 1 and isinstance(document.get("totalCount"), int):
                self.total = document["totalCount"]
            for index, study in enumerate(studies):
                if limit is not None and count >= limit:
                    return
                count += 1
                yield RawUnit(f"api:search page {page}#{index}", orjson.dumps(study))
            token = document.get("nextPageToken")
            if not token or (limit is not None and count >= limit):
                return
            if not isinstance(token, str) or token in tokens or not studies:
                raise SearchError(f"page {page} of the search points back to a page already "
                                  f"read (token {str(token)[:40]!r}): the registry's paging "
                                  "loops; stopped")
            tokens.add(token)

    def _page(self, params: dict[str, str], page: int) -> dict:
        """One page of a search as a dict with a list of studies. An answer that is not one
        (cut short on the way, a proxy's page) is asked for again as the client's retries
        allow, then is a SearchError naming the page."""
        problem = ""
        for _ in range(self.http.retries + 1):
            try:
                answer = self.http.get(f"{self.base_url}/studies", params=params)
            except HttpError as exc:
                raise SearchError(str(exc)) from exc
            if answer.status != 200:
                raise SearchError(f"the registry refused the search (HTTP {answer.status}): "
                                  f"{' '.join(answer.text.split())[:300]}")
            self.answer_day = _day_of(answer.date) or self.answer_day
            try:
                document = orjson.loads(answer.text)
            except orjson.JSONDecodeError as exc:
                problem = f"is not JSON ({exc})"
            else:
                if isinstance(document, dict) and isinstance(document.get("studies"), list):
                    return document
                studies = document.get("studies") if isinstance(document, dict) else document
                problem = f"has no list of studies (studies: {type(studies).__name__})"
        raise SearchError(f"page {page} of the search {problem}, after "
                          f"{self.http.retries + 1} tries")


def _day_of(http_date: str | None) -> str | None:
    """The UTC day (YYYY-MM-DD) of an HTTP Date header, or None."""
    if not http_date:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        return parsed.date().isoformat()
    return parsed.astimezone(datetime.UTC).date().isoformat()
