"""Results groups (``FG000``, ``BG000``, ``OG000``, ``EG000``) and the arm each stands for.

A results group is a node of its table (the flow, the baseline, one outcome measure, the adverse
events), named by the registry's own group id under that table's IRI. It is linked to the arm
group of the same trial it stands for (``kg:representsArm``) by the first of these rules that
finds exactly one arm (:func:`arms_of_groups`, worked out once for every group of the record):

1. ``single-arm``: the record has one arm;
2. ``title``: the title is the arm's label (a leading enumerator like ``1`` or ``2.`` aside),
   the label followed by ``-``, ``:`` or ``(`` (``Arm I - Genistein``), or the label in closing
   parentheses (``Palbociclib Plus Endocrine Therapy (Arm A)``);
3. ``title-words``: the label stands whole in the title (``Patients Who Received Repaglinide``
   for ``2. repaglinide``);
4. ``title-interventions``: the title names interventions that one arm alone was given, or one
   arm was given exactly;
5. the rules 3 and 4 on the group's description;
6. ``same-title``: a group of another table with the same title was linked by one of the above.

A group whose title tells where its participants came from (``Placebo → OL CZP``: an
open-label extension's group that received certolizumab after placebo) is not the arm it came
from: rules 2 to 4 read only the title's part after its last turn (``title-turned`` is rule 2
there), and a description that tells of such a turn is not read.

A pooled group (the baseline's ``Total``, ``All participants``) stands for no arm and is typed
``kg:TotalGroup``. Two candidate arms are never guessed between, and a group never links to
another trial's arm because only this record's arms are candidates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from kg.ids import normalised_name, part_key
from kg.mapping.context import MappingContext
from kg.mapping.fields import TEXT, field_triples, objects
from kg.rdf import RDF_TYPE, Triple, text
from kg.vocab import KG, QB, SDO

GROUP_FIELDS = (("title", SDO.name, TEXT), ("description", SDO.description, TEXT))
_GROUP_ID = re.compile(r"[A-Z]{2}[0-9]{3,}", re.ASCII)
_ENUMERATOR = re.compile(r"^[0-9]+[.)]?\s+")
_POOLED = re.compile(r"^(total|overall|all (participants|subjects|patients|arms|groups|"
                     r"randomi[sz]ed( participants| subjects)?))\b", re.IGNORECASE)
# Words that tell a group's participants moved from one treatment to another.
_TURN = re.compile(r"→|⇒|->|=>|>>|\bfollowed by\b|\bswitch(?:ed|ing)?\b|\bthen\b|"
                   r"\broll(?:ed)?[- ]?over\b|\bextension\b|\bpreviously\b",
                   re.IGNORECASE)
RESULTS_TABLES = (("participantFlowModule", "groups"), ("baselineCharacteristicsModule", "groups"),
                  ("adverseEventsModule", "eventGroups"))


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
        if is_pooled(group):
            triples.append((node, RDF_TYPE, KG.TotalGroup))
        arm = ctx.group_arms.get(_group_key(group))
        if arm is not None:
            triples.append((node, KG.representsArm, arm[0]))
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


def is_pooled(group: dict) -> bool:
    title = group.get("title")
    return isinstance(title, str) and _pooled_title(title)


@lru_cache(maxsize=1 << 12)
def _pooled_title(title: str) -> bool:
    return bool(_POOLED.match(title.strip()))


def _group_key(group: dict) -> tuple[str, str]:
    title, description = group.get("title"), group.get("description")
    return (title if isinstance(title, str) else "",
            description if isinstance(description, str) else "")


def record_groups(record: dict) -> list[dict]:
    """Every results group of every table of the record, in the record's order."""
    results = record.get("resultsSection")
    results = results if isinstance(results, dict) else {}
    tables = [(results.get(name), key) for name, key in RESULTS_TABLES]
    measures = results.get("outcomeMeasuresModule")
    measures = measures.get("outcomeMeasures") if isinstance(measures, dict) else None
    tables += [(m, "groups") for m in (measures if isinstance(measures, list) else ())]
    found = []
    for table, key in tables:
        groups = table.get(key) if isinstance(table, dict) else None
        found += [g for g in (groups if isinstance(groups, list) else ()) if isinstance(g, dict)]
    return found


def arms_of_groups(ctx: MappingContext, record: dict) -> dict[tuple[str, str], tuple[str, str]]:
    """(title, description) of each results group -> (the arm it stands for, the rule that
    found it), for the groups some rule links (the module's docstring lists the rules)."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    groups = [g for g in record_groups(record) if not is_pooled(g)]
    arms = sorted(set(ctx.arms.values()))
    for group in groups:
        key = _group_key(group)
        if key in found or not arms:
            continue
        if len(arms) == 1:
            found[key] = (arms[0], "single-arm")
            continue
        title, description = key
        for rule, arm in _candidates(ctx, title, description):
            if arm is not None:
                found[key] = (arm, rule)
                break
    by_title: dict[str, set[str]] = {}
    for (title, _), (arm, _) in found.items():
        by_title.setdefault(normalised_name(title), set()).add(arm)
    for group in groups:
        key = _group_key(group)
        same = by_title.get(normalised_name(key[0]), set()) if key[0].strip() else set()
        if key not in found and len(same) == 1:
            found[key] = (next(iter(same)), "same-title")
    return found


def _candidates(ctx: MappingContext, title: str, description: str
                ) -> Iterator[tuple[str, str | None]]:
    """The rules in turn, each with the arm it finds (lazily). A group whose title or
    description tells where its participants came from (``Placebo → OL CZP``, "participants
    who received placebo, then open-label CZP") is not that arm: the title is read after its
    last turn only, and such a description not at all."""
    yield "title", _by_title(ctx, title)
    turns = _TURN.split(title)
    if len(turns) > 1:
        title = turns[-1]
        yield "title-turned", _by_title(ctx, title)
    yield "title-words", _by_label_words(ctx, title)
    yield "title-interventions", _by_interventions(ctx, title)
    if not _TURN.search(description):
        yield "description-words", _by_label_words(ctx, description)
        yield "description-interventions", _by_interventions(ctx, description)


def _only(candidates: set[str]) -> str | None:
    return next(iter(candidates)) if len(candidates) == 1 else None


def _by_title(ctx: MappingContext, title: str) -> str | None:
    return _only({iri for label, iri in ctx.arms.items() if _stands_for(title, label)}) \
        if title else None


@lru_cache(maxsize=1 << 14)
def _padded(text: str) -> str:
    """The text's words with a space either side, for whole-word containment."""
    return f" {normalised_name(text)} "


def _contains_words(text: str, phrase: str) -> bool:
    words = _padded(phrase)
    return words != "  " and words in _padded(text)


def _by_label_words(ctx: MappingContext, text: str) -> str | None:
    if not text:
        return None
    return _only({iri for label, iri in ctx.arms.items()
                  if _contains_words(text, _ENUMERATOR.sub("", _plain(label)))})


def _by_interventions(ctx: MappingContext, text: str) -> str | None:
    """The arm given the interventions ``text`` names: the only arm given all of them, or the
    only one given exactly them."""
    if not text:
        return None
    named = {iri for iri, names in ctx.intervention_names.items()
             if any(len(_padded(n)) >= 5 and _contains_words(text, n) for n in names)}
    if not named:
        return None
    given = {arm: got for arm, got in ctx.arm_interventions.items() if named <= got}
    return _only(set(given)) or _only({arm for arm, got in given.items() if got == named})


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


