"""Results groups (``FG000``, ``BG000``, ``OG000``, ``EG000``) and the arm each stands for.

A results group is a node of its table (the flow, the baseline, one outcome measure, the adverse
events), named by the registry's own group id under that table's IRI. It is linked to an arm
group of the same trial (``kg:representsArm``) only where exactly one arm matches its title:
the same words (a leading enumerator like ``1`` or ``2.`` aside), the arm's label followed by
``-``, ``:`` or ``(`` (``Arm I - Genistein``), or the label in closing parentheses
(``Palbociclib Plus Endocrine Therapy (Arm A)``). Anything vaguer would link groups to the
wrong arm, which is worse than no link; a group never links to another trial's arm because
only this record's arms are candidates.
"""

from __future__ import annotations

import re

from kg.mapping.context import MappingContext
from kg.mapping.fields import TEXT, field_triples, objects
from kg.mapping.ids import normalised_name, part_key
from kg.mapping.vocab import KG, QB, SDO
from kg.rdf import RDF_TYPE, Triple, text

GROUP_FIELDS = (("title", SDO.name, TEXT), ("description", SDO.description, TEXT))
_GROUP_ID = re.compile(r"[A-Z]{2}[0-9]{3,}", re.ASCII)
_ENUMERATOR = re.compile(r"^[0-9]+[.)]?\s+")


def group_iri(scope: str, group_id: object) -> str:
    """The IRI of the group a table calls ``group_id``; odd ids are made path-safe."""
    gid = str(group_id).strip()
    return f"{scope}/group/{gid if _GROUP_ID.fullmatch(gid) else part_key(gid)}"


def map_groups(ctx: MappingContext, scope: str, table: dict, key: str, path: str,
               extra_fields: tuple = ()) -> tuple[set[str], list[Triple]]:
    """The groups a table declares: the set of their ids, and their triples (with the
    table's own group fields, such as the adverse events' totals, in ``extra_fields``)."""
    declared: set[str] = set()
    triples: list[Triple] = []
    for number, group in objects(ctx, table, key, path):
        group_path = f"{path}.{key}[{number - 1}]"
        gid = group.get("id")
        if not isinstance(gid, str) or not gid.strip():
            ctx.error(f"{group_path}.id", "results group without an id; left out")
            continue
        node = group_iri(scope, gid)
        declared.add(gid.strip())
        triples += [(scope, KG.hasGroup, node), (node, RDF_TYPE, KG.ResultGroup),
                    (node, KG.groupCode, text(gid.strip()))]
        triples += field_triples(ctx, node, group, GROUP_FIELDS + extra_fields, group_path)
        arm = _arm_of(ctx, group.get("title"))
        if arm is not None:
            triples.append((node, KG.representsArm, arm))
    return declared, triples


def group_of(ctx: MappingContext, scope: str, declared: set[str], group_id: object,
             path: str) -> str | None:
    """The group node a number belongs to; a number naming no declared group is reported."""
    if not isinstance(group_id, str) or not group_id.strip():
        ctx.error(path, "a number without a group id; left out")
        return None
    if group_id.strip() not in declared:
        ctx.warn(path, f"names group {group_id!r}, which the table does not declare")
    return group_iri(scope, group_id)


def observation(ctx: MappingContext, row: str, table: str, scope: str, declared: set[str],
                group_id: object, path: str) -> tuple[str, list[Triple]] | None:
    """One cell of a table: ``<row>/<group id>``, a ``qb:Observation`` of ``table`` in its
    group; None (reported) when the cell names no group."""
    group = group_of(ctx, scope, declared, group_id, path)
    if group is None:
        return None
    cell = f"{row}/{group.rsplit('/', 1)[-1]}"
    return cell, [(cell, RDF_TYPE, QB.Observation), (cell, QB.dataSet, table),
                  (cell, KG.group, group)]


def _arm_of(ctx: MappingContext, title: object) -> str | None:
    if not isinstance(title, str) or not ctx.arms:
        return None
    matches = {iri for label, iri in ctx.arms.items() if _stands_for(title, label)}
    return matches.pop() if len(matches) == 1 else None


def _stands_for(title: str, label: str) -> bool:
    plain_title, plain_label = _plain(title), _plain(label)
    if not plain_label:
        return False
    if normalised_name(_ENUMERATOR.sub("", plain_title)) == normalised_name(
            _ENUMERATOR.sub("", plain_label)):
        return True
    if re.match(re.escape(plain_label) + r"\s*[-:–(]", plain_title):
        return True
    return plain_title.endswith(f"({plain_label})")


def _plain(value: str) -> str:
    return " ".join(value.casefold().split())


