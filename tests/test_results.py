"""Results reach the graph as tables: every number one observation connected to its group, its
measure or outcome, its class and category, its unit and param type, as the record says."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator

import pyoxigraph
import pytest

from kg.ids import DEFAULT_BASE
from kg.mapping import map_record
from kg.mapping.results.measures import DISPERSION_SPELLINGS, MEASURE_DISPERSION, MEASURE_PARAM
from kg.pipeline.coverage import leaf_coverage
from kg.serialize.ntriples import NTriples
from tests.conftest import RESULTS_FIXTURE, kg, load_json, shared_records

MODULES = ("resultsSection.participantFlowModule", "resultsSection.baselineCharacteristicsModule",
           "resultsSection.outcomeMeasuresModule", "resultsSection.adverseEventsModule",
           "resultsSection.moreInfoModule", "documentSection.largeDocumentModule")
PREFIXES = """
PREFIX kg: <https://w3id.org/ctkg/vocab#>
PREFIX schema: <https://schema.org/>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx: <http://purl.org/linked-data/sdmx/2009/measure#>
"""


def records_with_results() -> list[dict]:
    records = [load_json(p) for p in shared_records("v2")]
    found = [r for r in records if "resultsSection" in r]
    assert len(found) == 6
    return found


def module_of(path: str) -> str:
    return ".".join(path.split(".")[:2])


def module_coverage(record: dict, triples) -> dict[str, tuple[int, int]]:
    """(reached, total) leaves per results/document module."""
    from kg.pipeline.coverage import record_leaves

    coverage = leaf_coverage(record, triples, DEFAULT_BASE)
    missing = {}
    for path in coverage.missing:
        missing[module_of(path)] = missing.get(module_of(path), 0) + 1
    totals = {}
    for path, _ in record_leaves(record):
        totals[module_of(path)] = totals.get(module_of(path), 0) + 1
    return {m: (totals[m] - missing.get(m, 0), totals[m]) for m in totals if m in MODULES}


def test_results_documents_and_annotations_reach_the_graph_at_least_98_percent_per_module():
    reached: dict[str, list[int]] = {}
    for record in records_with_results() + [load_json(RESULTS_FIXTURE)]:
        for name, (hit, total) in module_coverage(record, map_record(record).triples).items():
            sums = reached.setdefault(name, [0, 0])
            sums[0] += hit
            sums[1] += total
    assert set(reached) == set(MODULES)
    for name, (hit, total) in reached.items():
        assert hit / total >= 0.98, (name, hit, total)


@pytest.mark.parametrize("dropped", MODULES)
def test_coverage_fails_when_a_module_is_dropped(dropped):
    """The yardstick can fail: map each record without one module and measure that module."""
    section, name = dropped.split(".")
    hit = total = 0
    for record in records_with_results():
        if name not in record.get(section, {}):
            continue
        without = copy.deepcopy(record)
        del without[section][name]
        reached, count = module_coverage(record, map_record(without).triples)[dropped]
        hit += reached
        total += count
    assert total and hit / total < 0.98, (dropped, hit, total)


def annotation_paths(record: dict) -> Iterator[str]:
    from kg.pipeline.coverage import leaves

    yield from (p for p, _ in leaves(record["annotationSection"], "annotationSection"))


def test_annotation_section_reaches_the_graph():
    """No shared record has annotations; the project's fixture has unposted and violation events."""
    record = load_json(RESULTS_FIXTURE)
    missing = set(leaf_coverage(record, map_record(record).triples, DEFAULT_BASE).missing)
    assert list(annotation_paths(record)) and not missing & set(annotation_paths(record))


def store_of(record: dict) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(NTriples().render(map_record(record)).encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def ask(store: pyoxigraph.Store, body: str) -> bool:
    return bool(store.query(PREFIXES + "ASK {" + body + "}"))


def lit(value: object) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def same(var: str, value: str) -> str:
    """A filter that ``?var`` holds the record's value: by number where the text is one (a store
    may write ``0.70`` as ``0.7``), else by text."""
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        return f"FILTER (?{var} = {lit(value)}^^<http://www.w3.org/2001/XMLSchema#decimal>)"
    return f"FILTER (str(?{var}) = {lit(value)})"


def ends(items: list) -> list:
    """The first, middle and last item: picks from across a table, not just its top."""
    return [items[i] for i in sorted({0, len(items) // 2, len(items) - 1})] if items else []


def cells(measure: dict) -> Iterator[tuple[dict, dict, dict]]:
    triples = [(cls, cat, m) for cls in measure.get("classes", [])
               for cat in cls.get("categories", []) for m in cat.get("measurements", [])]
    yield from ends(triples)


def cell_pattern(table: str, measure: dict, cls: dict, cat: dict, cell: dict,
                 titles: dict[str, str]) -> str:
    param = MEASURE_PARAM.get(measure["paramType"])
    body = f"""
        {table} schema:name {lit(measure['title'])} ; kg:paramType <{param}> .
        ?cell qb:dataSet {table} ; kg:group ?group ; sdmx:obsValue ?value .
        ?group schema:name {lit(titles[cell['groupId']])} .
        {same('value', cell['value'])}"""
    if measure.get("unitOfMeasure"):
        body += f"\n{table} kg:unitOfMeasure {lit(measure['unitOfMeasure'])} ."
    if cat.get("title"):
        body += f"\n?cell kg:category ?category . ?category schema:name {lit(cat['title'])} ."
    if cls.get("title"):
        body += f"\n?cell kg:measureClass ?class . ?class schema:name {lit(cls['title'])} ."
    for key, predicate in (("spread", "spread"), ("lowerLimit", "lowerLimit"),
                           ("upperLimit", "upperLimit")):
        if key in cell:
            body += f"\n?cell kg:{predicate} ?{key} . {same(key, cell[key])}"
    return body


@pytest.fixture(scope="module", params=range(6), ids=lambda i: f"record{i}")
def result_record(request) -> tuple[dict, pyoxigraph.Store]:
    record = records_with_results()[request.param]
    return record, store_of(record)


def test_baseline_cells_connect_value_group_measure_category_unit_and_param(result_record):
    record, store = result_record
    baseline = record["resultsSection"]["baselineCharacteristicsModule"]
    titles = {g["id"]: g["title"] for g in baseline["groups"]}
    for measure in ends(baseline["measures"]):
        for cls, cat, cell in cells(measure):
            table = "?measure"
            body = "?trial kg:baselineCharacteristics/kg:baselineMeasure ?measure ." + \
                cell_pattern(table, measure, cls, cat, cell, titles)
            assert ask(store, body), (measure["title"], cell)


def test_outcome_cells_connect_value_group_outcome_category_unit_and_param(result_record):
    record, store = result_record
    for outcome in ends(record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]):
        titles = {g["id"]: g["title"] for g in outcome.get("groups", [])}
        for cls, cat, cell in cells(outcome):
            body = f"""?trial kg:outcomeResult ?outcome .
                ?outcome kg:outcomeType kg:Outcome{outcome['type'].title().replace('_', '')} ;
                         kg:timeFrame {lit(outcome['timeFrame'])} .""" + \
                cell_pattern("?outcome", outcome, cls, cat, cell, titles)
            dispersion = outcome.get("dispersionType")
            if dispersion:
                term = MEASURE_DISPERSION.get(DISPERSION_SPELLINGS.get(dispersion, dispersion))
                body += f"\n?outcome kg:dispersionType <{term}> ."
            assert ask(store, body), (outcome["title"], cell)


def test_analyses_connect_their_groups_estimate_and_p_value(result_record):
    record, store = result_record
    for outcome in record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]:
        titles = {g["id"]: g["title"] for g in outcome.get("groups", [])}
        for analysis in outcome.get("analyses", []):
            body = f"?outcome schema:name {lit(outcome['title'])} ; kg:analysis ?analysis ."
            for n, gid in enumerate(analysis["groupIds"]):
                body += f"\n?analysis kg:comparedGroup ?g{n} . ?g{n} schema:name {lit(titles[gid])} ."
            if "paramValue" in analysis:
                body += f"\n?analysis kg:estimateValue ?e . {same('e', analysis['paramValue'])}"
            if "pValue" in analysis:
                number = analysis["pValue"].lstrip("<>=≤≥ ")
                body += f"\n?analysis kg:pValue ?p . {same('p', number)}"
            assert ask(store, body), analysis


def test_flow_counts_connect_period_milestone_group_and_number(result_record):
    record, store = result_record
    flow = record["resultsSection"]["participantFlowModule"]
    titles = {g["id"]: g["title"] for g in flow["groups"]}
    for period in flow["periods"]:
        for kind, cells_key, link, dim, words in (
                ("milestones", "achievements", "periodMilestone", "milestone", "milestoneType"),
                ("dropWithdraws", "reasons", "periodWithdrawal", "withdrawal", "withdrawalReason")):
            for row in ends(period.get(kind, [])):
                for cell in ends(row[cells_key]):
                    body = f"""?trial kg:participantFlow/kg:flowPeriod ?period .
                        ?period schema:name {lit(period['title'])} ; kg:{link} ?row .
                        ?row kg:{words} {lit(row['type'])} .
                        ?cell kg:{dim} ?row ; qb:dataSet ?period ; kg:group ?group ;
                              sdmx:obsValue {cell['numSubjects']} .
                        ?group schema:name {lit(titles[cell['groupId']])} ."""
                    assert ask(store, body), (row["type"], cell)


def test_adverse_event_counts_connect_term_vocabulary_group_affected_and_at_risk(result_record):
    record, store = result_record
    events = record["resultsSection"]["adverseEventsModule"]
    titles = {g["id"]: g["title"] for g in events["eventGroups"]}
    picked = 0
    for key, link in (("seriousEvents", "seriousEvent"), ("otherEvents", "otherEvent")):
        for event in ends(events.get(key, [])):
            for stat in ends(event["stats"]):
                body = f"""?trial kg:adverseEvents ?report . ?report kg:{link} ?event .
                    ?event schema:name {lit(event['term'])} ;
                           kg:organSystem {lit(event['organSystem'])} .
                    ?cell kg:adverseEvent ?event ; kg:group ?group ;
                          kg:numAffected {stat['numAffected']} ; kg:numAtRisk {stat['numAtRisk']} .
                    ?group schema:name {lit(titles[stat['groupId']])} ."""
                if "sourceVocabulary" in event:
                    body += f"\n?event kg:sourceVocabulary {lit(event['sourceVocabulary'])} ."
                assert ask(store, body), (event["term"], stat)
                picked += 1
    for group in events["eventGroups"]:
        body = f"""?trial kg:adverseEvents/kg:hasGroup ?group .
            ?group schema:name {lit(group['title'])} ;
                   kg:seriousNumAffected {group['seriousNumAffected']} ;
                   kg:seriousNumAtRisk {group['seriousNumAtRisk']} ."""
        assert ask(store, body), group
    assert picked or not (events.get("seriousEvents") or events.get("otherEvents"))


def test_p_values_keep_their_comparator_and_scientific_notation_becomes_a_decimal():
    store = store_of(load_json(RESULTS_FIXTURE))
    assert ask(store, """?a kg:pValue "0.001"^^<http://www.w3.org/2001/XMLSchema#decimal> ;
                         kg:pValueComparator "<" .""")
    assert ask(store, """?a kg:pValue "0.000012"^^<http://www.w3.org/2001/XMLSchema#decimal> .
                         FILTER NOT EXISTS { ?a kg:pValueComparator ?c }""")


def test_a_value_that_is_not_a_number_keeps_its_text_and_comment():
    store = store_of(load_json(RESULTS_FIXTURE))
    assert ask(store, """?cell sdmx:obsValue "NA" ;
        <http://purl.org/linked-data/sdmx/2009/attribute#comment> "Median not reached." .""")
    assert ask(store, """?cell kg:upperLimit "NA" ; kg:lowerLimit 15.2 .""")


def test_results_groups_link_to_the_arm_they_stand_for_and_only_then():
    expected = {
        "NCT01126879": {"Arm I - Genistein": "Arm I", "Arm II - Placebo": "Arm II"},
        "NCT02513394": {"Palbociclib Plus Endocrine Therapy (Arm A)": "Arm A",
                        "Endocrine Therapy Alone (Arm B)": "Arm B"},
        "NCT00763412": {"2. Repaglinide": "2. repaglinide", "Placebo": "1 Placebo",
                        "1 Placebo": "1 Placebo",
                        # the arm's label stands whole in the baseline's titles
                        "Patients Who Received Placebo": "1 Placebo",
                        "Patients Who Received Repaglinide": "2. repaglinide",
                        "Total": None},
    }
    for record in records_with_results():
        nct = record["protocolSection"]["identificationModule"]["nctId"]
        if nct not in expected:
            continue
        store = store_of(record)
        for title, arm in expected[nct].items():
            rows = list(store.query(PREFIXES + f"""SELECT DISTINCT ?label WHERE {{
                ?group a kg:ResultGroup ; schema:name {lit(title)} .
                OPTIONAL {{ ?group kg:representsArm ?arm . ?arm schema:name ?label }} }}"""))
            labels = {row["label"].value if row["label"] else None for row in rows}
            assert labels == {arm}, (nct, title, labels)


def test_outcome_results_link_to_the_protocol_outcome_they_report():
    store = store_of(load_json(RESULTS_FIXTURE))
    assert ask(store, """<https://w3id.org/ctkg/id/trial/NCT09900001/outcome-result/1>
        kg:protocolOutcome <https://w3id.org/ctkg/id/trial/NCT09900001/outcome/primary/1> .
        <https://w3id.org/ctkg/id/trial/NCT09900001/outcome-result/2>
        kg:protocolOutcome <https://w3id.org/ctkg/id/trial/NCT09900001/outcome/secondary/1> .""")


def test_posted_documents_link_to_the_registry_file_with_their_flags_and_times():
    store = store_of(load_json(RESULTS_FIXTURE))
    assert ask(store, """<https://w3id.org/ctkg/id/trial/NCT09900001> kg:largeDocument ?doc .
        ?doc a schema:DigitalDocument ; kg:hasProtocol true ; kg:hasIcf false ; kg:fileSize 123456 ;
            schema:url <https://cdn.clinicaltrials.gov/large-docs/01/NCT09900001/Prot_SAP_000.pdf> ;
            kg:uploadDate "2023-05-02T09:30:00"^^<http://www.w3.org/2001/XMLSchema#dateTime> .""")


def test_annotations_become_dated_events_of_the_trial():
    store = store_of(load_json(RESULTS_FIXTURE))
    assert ask(store, """?trial kg:unpostedEvent ?reset ; kg:violationEvent ?violation ;
            kg:unpostedResponsibleParty "Example Research Institute" ; kg:hasResults true .
        ?reset kg:unpostedEventType kg:UnpostedReset ;
               kg:eventDate "2023-06-01"^^<http://www.w3.org/2001/XMLSchema#date> .
        ?violation kg:violationEventType kg:ViolationIdentified ;
                   kg:postedDate "2023-01-20"^^<http://www.w3.org/2001/XMLSchema#date> .""")


def test_a_number_naming_an_undeclared_group_is_reported_with_its_field():
    record = load_json(RESULTS_FIXTURE)
    cell = record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]["classes"][0][
        "categories"][0]["measurements"][0]
    cell["groupId"] = "OG007"
    problems = [p.line() for p in map_record(record).problems]
    assert problems == ["warning: NCT09900001: resultsSection.outcomeMeasuresModule."
                        "outcomeMeasures[0].classes[0].categories[0].measurements[0].groupId: "
                        "names group 'OG007', which the table does not declare"]


def test_a_results_module_of_the_wrong_shape_is_reported_and_the_rest_maps():
    record = load_json(RESULTS_FIXTURE)
    record["resultsSection"]["adverseEventsModule"] = ["not", "an", "object"]
    mapped = map_record(record)
    assert [p.field for p in mapped.problems] == ["resultsSection.adverseEventsModule"]
    assert any(p.endswith("vocab#outcomeResult") for _, p, _ in mapped.triples)


@pytest.mark.parametrize("fmt", ["ntriples", "nquads", "turtle", "jsonld", "jsonl"])
def test_results_records_export_identically_with_one_and_two_workers(tmp_path, fmt):
    paths = [p for p in shared_records("v2") if "resultsSection" in p.read_text()]
    paths.append(RESULTS_FIXTURE)
    for workers in ("1", "2"):
        kg("export", *map(str, paths), "-f", fmt, "-o", str(tmp_path / workers), "-w", workers,
           "--no-validate", "-q", check=True)
    (one,) = (tmp_path / "1").iterdir()
    assert one.read_bytes() == (tmp_path / "2" / one.name).read_bytes()


def test_results_turtle_and_jsonld_parse_in_rdflib_and_oxigraph_to_the_same_graph(tmp_path):
    import rdflib
    from rdflib.compare import isomorphic

    from kg.rdf import to_rdflib

    record_path = [p for p in shared_records("v2") if p.name == "NCT02210780.json"][0]
    for path in (record_path, RESULTS_FIXTURE):
        expected = to_rdflib(map_record(load_json(path)).triples)
        kg("export", str(path), "-f", "turtle", "-f", "jsonld", "-f", "ntriples",
           "-o", str(tmp_path / path.stem), "--no-validate", "-q", check=True)
        for suffix, rdflib_format, oxigraph_format in (
                (".ttl", "turtle", pyoxigraph.RdfFormat.TURTLE),
                (".jsonld", "json-ld", pyoxigraph.RdfFormat.JSON_LD),
                (".nt", "nt", pyoxigraph.RdfFormat.N_TRIPLES)):
            (file,) = (tmp_path / path.stem).glob("*" + suffix)
            parsed = rdflib.Graph().parse(file, format=rdflib_format)
            assert isomorphic(parsed, expected), (path.name, suffix)
            assert len(list(pyoxigraph.parse(path=str(file), format=oxigraph_format))) == len(expected)


def test_numbers_are_written_in_the_canonical_form_stores_keep():
    """``.33`` becomes ``0.33``, ``19.60`` ``19.6``, ``+5`` ``5``: XSD's canonical form, which
    Oxigraph and Virtuoso hold, so an export and a store of it have the same terms."""
    import pyoxigraph as ox

    from kg.mapping.numbers import counted, decimal_lexical
    from kg.rdf import XSD_DECIMAL

    written = [decimal_lexical(v) for v in (".33", "+.50", "-0.0", "007.5", "5.", "19.60", "-.5",
                                            "1.2E-5", "100", "1E+3")]
    assert written == ["0.33", "0.5", "0", "7.5", "5", "19.6", "-0.5", "0.000012", "100", "1000"]
    store = ox.Store()
    for number, lexical in enumerate(written):
        store.add(ox.Quad(ox.NamedNode("https://e/s"), ox.NamedNode(f"https://e/p{number}"),
                          ox.Literal(lexical, datatype=ox.NamedNode(XSD_DECIMAL))))
    assert sorted(q.object.value for q in store) == sorted(written)
    assert [counted(v).lexical for v in ("007", "+5", "-0")] == ["7", "5", "0"]
