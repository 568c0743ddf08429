"""What one record's mapping needs besides the record: its IRIs, and a place for problems.

Problems are collected, not printed: the mapping stays free of I/O and the caller decides
whether to report, fail the record or carry on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from kg.ids import part_key, trial_iri
from kg.rdf import Literal, Object
from kg.vocab import Enumeration


class Problem(NamedTuple):
    """A defect in one field of one record. ``error`` fails the record's exit status."""

    severity: str  # "error" or "warning"
    nct_id: str
    field: str
    message: str

    def line(self, origin: str = "") -> str:
        head = ": ".join(p for p in (origin, self.nct_id, self.field) if p)
        return f"{self.severity}: {head}: {self.message}"


@dataclass
class MappingContext:
    base: str
    nct_id: str
    problems: list[Problem] = field(default_factory=list)
    # Arm group label (as written) -> the arm's IRI, set by the arms mapping so that results
    # groups can name the arm they stand for without minting its IRI a second time.
    arms: dict[str, str] = field(default_factory=dict)
    # Arm IRI -> the IRIs of its interventions, for results groups named after what they got.
    arm_interventions: dict[str, set[str]] = field(default_factory=dict)
    intervention_names: dict[str, list[str]] = field(default_factory=dict)  # IRI -> its names
    # (title, description) of a results group -> (the arm it stands for, the rule that said so)
    group_arms: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    _keys: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)

    @property
    def trial(self) -> str:
        return trial_iri(self.base, self.nct_id)

    def child(self, *parts: object) -> str:
        """An IRI under the trial's: ``<trial>/eligibility``."""
        return self.trial + "/" + "/".join(str(p) for p in parts)

    def keyed(self, kind: str, *key: object) -> str:
        """An IRI for a part named by what it is, not where the record lists it, so that it
        survives edits of the record: ``<trial>/arm/placebo``. A repeat gets ``-2``, ``-3``."""
        name = part_key(*key)
        count = self._keys[(kind, name)] = self._keys.get((kind, name), 0) + 1
        return self.child(kind, name if count == 1 else f"{name}-{count}")

    def warn(self, field_path: str, message: str) -> None:
        self.problems.append(Problem("warning", self.nct_id, field_path, message))

    def error(self, field_path: str, message: str) -> None:
        self.problems.append(Problem("error", self.nct_id, field_path, message))

    def term(self, enumeration: Enumeration, value: object, field_path: str) -> Object:
        """The term for an enum value; an unknown value is kept as a literal, never dropped."""
        iri = enumeration.get(value) if isinstance(value, str) else None
        if iri is not None:
            return iri
        self.warn(field_path, f"unknown {enumeration.name} value {value!r}, kept as a literal")
        return Literal(str(value))
