"""Sources: where records come from. Every source yields the same raw units, read into the same
plain record dicts; a source never maps."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kg.sources.api import RegistryClient, Search
from kg.sources.files import read_units
from kg.sources.isrctn_api import IsrctnClient
from kg.sources.units import RawUnit


@dataclass
class Selection:
    """What one run reads: files, directories and archives, then NCT ids, then a search, then
    ISRCTN's trials by id and by search."""

    client: RegistryClient
    inputs: Iterable[str] = ()
    ids: list[str] = field(default_factory=list)
    search: Search | None = None
    limit: int | None = None
    isrctn: IsrctnClient | None = None  # ISRCTN's API, for the two below
    isrctn_ids: list[str] = field(default_factory=list)
    isrctn_query: str | None = None

    @property
    def total(self) -> int | None:
        """The search's total count, once its first page is in."""
        return self.client.total

    def units(self) -> Iterator[RawUnit]:
        yield from read_units(self.inputs)
        yield from self.client.studies(self.ids)
        if self.search is not None:
            yield from self.client.search(self.search, self.limit)
        if self.isrctn is not None:
            yield from self.isrctn.trials(self.isrctn_ids)
            if self.isrctn_query:
                yield from self.isrctn.search(self.isrctn_query, self.limit)
