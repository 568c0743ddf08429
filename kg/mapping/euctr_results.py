"""EU CTR results (the EudraCT results XML, as ctrdata converts it to JSON) in kg's one
results model: the subject disposition, baseline characteristics, end points and adverse
events become the participant flow, baseline, outcome results and adverse events that
ClinicalTrials.gov's results become (:mod:`kg.mapping.results`), every number an observation
of its group, its measure and, where the group is an arm's, its arm.

EudraCT's results format and ClinicalTrials.gov's describe the same tables; this module says
which EudraCT field is which of the model's (the table below), and the results mapping does
the rest. Groups keep EudraCT's own ids (``Arm-90978``, ``SubjectAnalysisSet-51913``,
``ReportingGroup-72771``), as ClinicalTrials.gov's keep theirs.

| EudraCT results field | kg results model |
| --- | --- |
| ``subjectDisposition.recruitmentDetails`` / ``screeningInformation`` | flow's recruitment / pre-assignment details |
| ``postAssignmentPeriods.postAssignmentPeriod[].arms.arm[]`` | flow groups, arms (``kg:ArmGroup``, ``type``, ``armProducts``) |
| arm ``startedMilestoneAchievement`` / ``completedMilestoneAchievement`` / ``otherMilestoneAchievements`` | milestones STARTED / COMPLETED / named ones |
| arm ``notCompletedReasonDetails`` (reasons in ``reasonsNotCompleted``) | withdrawals by reason |
| ``baselineCharacteristics.baselineReportingGroups``, ``totalBaselineGroup``, analysis sets | baseline groups and denominators |
| ``age``/``gender``/``study`` ``Categorical``/``ContinuousCharacteristic(s)`` | baseline measures: categories with counts; central tendency with its dispersion |
| ``endPoints.endPoint[]`` (``type``, ``countable``, ``centralTendencyType``, ``dispersionType``, ``percentage``) | outcome results, their param and dispersion types |
| ``armReportingGroups`` / ``subjectAnalysisSetReportingGroups`` (values, ``subjects``) | outcome groups, cells, denominators |
| ``statisticalAnalyses.statisticalAnalysis[]`` (``parameterEstimate``, ``statisticalHypothesisTest``) | analyses: compared groups, estimate with its variability and confidence interval, p-value with its relation, method |
| ``adverseEvents`` (``reportingGroups``, ``seriousAdverseEvents``, ``nonSeriousAdverseEvents``) | adverse events: groups with deaths and totals, serious and other events with their counts |
"""

from __future__ import annotations

import re

from kg.mapping.registry_values import first_text, listed

PARAM = {"arithmetic": "MEAN", "median": "MEDIAN", "geometric": "GEOMETRIC_MEAN",
         "number": "NUMBER", "leastSquares": "LEAST_SQUARES_MEAN",
         "geometricLeastSquares": "GEOMETRIC_LEAST_SQUARES_MEAN", "logMean": "LOG_MEAN"}
DISPERSION = {"na": "NA", "fullRange": "FULL_RANGE", "standardDeviation": "STANDARD_DEVIATION",
              "standardError": "STANDARD_ERROR", "interQuartileRange": "INTER_QUARTILE_RANGE",
              "geometricCoefficientVariation": "GEOMETRIC_COEFFICIENT"}
CONFIDENCE = {"80": "CONFIDENCE_80", "90": "CONFIDENCE_90", "95": "CONFIDENCE_95",
              "97.5": "CONFIDENCE_975", "99": "CONFIDENCE_99"}
# Dispersions given as a low and a high value; the others are one spread.
LIMITS = {"FULL_RANGE", "INTER_QUARTILE_RANGE", "CONFIDENCE_80", "CONFIDENCE_90",
          "CONFIDENCE_95", "CONFIDENCE_975", "CONFIDENCE_99", "CONFIDENCE_OTHER"}
OUTCOME_TYPES = {"primary": "PRIMARY", "secondary": "SECONDARY", "other": "OTHER_PRE_SPECIFIED",
                 "otherPrespecified": "OTHER_PRE_SPECIFIED", "postHoc": "POST_HOC"}
ARM_TYPES = {"experimental": "EXPERIMENTAL", "activeComp": "ACTIVE_COMPARATOR",
             "placeboComp": "PLACEBO_COMPARATOR", "noIntervention": "NO_INTERVENTION",
             "shamComp": "SHAM_COMPARATOR", "other": "OTHER"}
ASSESSMENT = {"systematic": "SYSTEMATIC_ASSESSMENT", "nonSystematic": "NON_SYSTEMATIC_ASSESSMENT"}
SIDES = {"twoSided": "TWO_SIDED", "oneSided": "ONE_SIDED"}
TOTAL = "TotalBaselineGroup"
VARIABILITY = {"standardDeviation": "STANDARD_DEVIATION",
               "standardErrorOfMean": "STANDARD_ERROR_OF_MEAN", "standardError":
               "STANDARD_ERROR_OF_MEAN"}


def _items(value: object, key: str) -> list[dict]:
    """``{key: item or [items]}``, ``""`` or ``{}``: the items, as dicts."""
    inner = value.get(key) if isinstance(value, dict) else None
    return [item for item in listed(inner) if isinstance(item, dict)]


def _code(value: object) -> str:
    """``{"value": "MEASURE_TYPE.median"}`` -> ``median``."""
    text = first_text(value.get("value") if isinstance(value, dict) else value)
    return text.rsplit(".", 1)[-1]


def _words(code: str) -> str:
    """``consentWithdrawn`` -> ``Consent withdrawn``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", code).replace("_", " ").strip().lower()
    return spaced[:1].upper() + spaced[1:]


def arms(record: dict) -> list[dict]:
    """The trial's arms as the disposition's first period gives them: ``{id, title,
    description, type, products}``, ``type`` a key of kg's arm types."""
    found: dict[str, dict] = {}
    for period in _items(_dict(record, "subjectDisposition", "postAssignmentPeriods"),
                         "postAssignmentPeriod"):
        for arm in _items(period.get("arms"), "arm"):
            arm_id = first_text(arm.get("id"))
            if arm_id and arm_id not in found:
                products = [first_text(p.get("name")) for p in
                            _items(arm.get("armProducts"), "armProduct")]
                found[arm_id] = {"id": arm_id, "title": first_text(arm.get("title")) or arm_id,
                                 "description": first_text(arm.get("description")),
                                 "type": ARM_TYPES.get(_code(arm.get("type")), "OTHER"),
                                 "products": [p for p in products if p]}
    return list(found.values())


def _dict(record: dict, *keys: str) -> dict:
    value: object = record
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def results_section(record: dict) -> dict:
    """The record's results in the results model's own field names (a resultsSection)."""
    titles = {a["id"]: a["title"] for a in arms(record)}
    sets = {first_text(s.get("id")): s for s in
            _items(record.get("subjectAnalysisSets"), "subjectAnalysisSet")}
    titles.update({k: first_text(s.get("title")) or k for k, s in sets.items()})
    section = {}
    if isinstance(record.get("subjectDisposition"), dict):
        section["participantFlowModule"] = _flow(record["subjectDisposition"])
    if isinstance(record.get("baselineCharacteristics"), dict):
        section["baselineCharacteristicsModule"] = _baseline(
            record["baselineCharacteristics"], titles, sets)
    measures = [_end_point(e, titles) for e in _items(record.get("endPoints"), "endPoint")
                if first_text(e.get("readyForValues")) != "false"]
    if measures:
        section["outcomeMeasuresModule"] = {"outcomeMeasures": measures}
    if isinstance(record.get("adverseEvents"), dict):
        section["adverseEventsModule"] = _adverse_events(record["adverseEvents"])
    return section


def _flow(disposition: dict) -> dict:
    reasons = {first_text(r.get("id")): first_text(r.get("otherDescription")) or _words(
        _code(r.get("type"))) for r in _items(disposition.get("reasonsNotCompleted"),
                                              "reasonNotCompleted")}
    groups: dict[str, dict] = {}
    periods = []
    for period in _items(disposition.get("postAssignmentPeriods"), "postAssignmentPeriod"):
        others = {first_text(m.get("id")): first_text(m.get("title"))
                  for m in _items(period.get("otherMilestones"), "otherMilestone")}
        started, completed = [], []
        named: dict[str, list[dict]] = {}
        withdrawn: dict[str, list[dict]] = {}
        for arm in _items(period.get("arms"), "arm"):
            gid = first_text(arm.get("id"))
            groups.setdefault(gid, {"id": gid, "title": first_text(arm.get("title")) or gid,
                                    "description": first_text(arm.get("description"))})
            for target, key in ((started, "startedMilestoneAchievement"),
                                (completed, "completedMilestoneAchievement")):
                subjects = first_text(_dict(arm, key).get("subjects"))
                if subjects:
                    target.append({"groupId": gid, "numSubjects": subjects})
            for other in _items(arm.get("otherMilestoneAchievements"), "otherMilestoneAchievement"):
                title = others.get(first_text(other.get("otherMilestoneId")))
                if title:
                    named.setdefault(title, []).append(
                        {"groupId": gid, "numSubjects": first_text(other.get("subjects"))})
            for reason in _items(arm.get("notCompletedReasonDetails"), "reasonDetail"):
                withdrawn.setdefault(first_text(reason.get("reasonNotCompletedId")), []).append(
                    {"groupId": gid, "numSubjects": first_text(reason.get("subjects"))})
        milestones = [{"type": "STARTED", "achievements": started}] if started else []
        milestones += [{"type": title, "achievements": cells} for title, cells in named.items()]
        milestones += [{"type": "COMPLETED", "achievements": completed}] if completed else []
        periods.append({"title": first_text(period.get("title")), "milestones": milestones,
                        "dropWithdraws": [{"type": reasons.get(reason, "Not completed"),
                                           "reasons": cells}
                                          for reason, cells in withdrawn.items()]})
    return {"recruitmentDetails": first_text(disposition.get("recruitmentDetails")),
            "preAssignmentDetails": first_text(disposition.get("screeningInformation")),
            "groups": list(groups.values()), "periods": periods}


def _baseline_groups(baseline: dict, titles: dict[str, str], sets: dict[str, dict]
                     ) -> tuple[list[dict], list[dict]]:
    groups, counts = [], []
    for group in _items(baseline.get("baselineReportingGroups"), "baselineReportingGroup"):
        gid = first_text(group.get("id"))
        groups.append({"id": gid, "title": titles.get(first_text(group.get("armId")))
                       or first_text(group.get("title")) or gid,
                       "description": first_text(group.get("description"))})
        if first_text(group.get("subjects")):
            counts.append({"groupId": gid, "value": first_text(group["subjects"])})
    used = {first_text(s.get("subjectAnalysisSetId")) for m in _characteristics(baseline)
            for s in _items(m.get("subjectAnalysisSets"), "subjectAnalysisSet")}
    for set_id in sorted(used & set(sets)):
        analysis_set = sets[set_id]
        groups.append({"id": set_id, "title": titles[set_id],
                       "description": first_text(analysis_set.get("description"))})
        if first_text(analysis_set.get("subjects")):
            counts.append({"groupId": set_id, "value": first_text(analysis_set["subjects"])})
    return groups, counts


def _characteristics(baseline: dict) -> list[dict]:
    found = [baseline.get(k) for k in ("ageCategoricalCharacteristic",
                                       "ageContinuousCharacteristic",
                                       "genderCategoricalCharacteristic",
                                       "genderContinuousCharacteristic")]
    found += _items(baseline.get("studyCategoricalCharacteristics"), "studyCategoricalCharacteristic")
    found += _items(baseline.get("studyContinuousCharacteristics"), "studyContinuousCharacteristic")
    return [m for m in found if isinstance(m, dict) and first_text(m.get("readyForValues")) != "false"]


def _baseline(baseline: dict, titles: dict[str, str], sets: dict[str, dict]) -> dict:
    groups, counts = _baseline_groups(baseline, titles, sets)
    measures = []
    totals = False
    for measure in _characteristics(baseline):
        rows = [(first_text(g.get("baselineReportingGroupId")), g) for g in
                _items(measure.get("reportingGroups"), "reportingGroup")]
        rows += [(first_text(s.get("subjectAnalysisSetId")), s) for s in
                 _items(measure.get("subjectAnalysisSets"), "subjectAnalysisSet")]
        if isinstance(measure.get("totalBaselineGroup"), dict):
            # each characteristic names its own total; they are one group, the whole baseline
            rows.append((TOTAL, measure["totalBaselineGroup"]))
            totals = True
        measures.append(_table(measure, rows, baseline_measure=True))
    if totals:
        groups.append({"id": TOTAL, "title": "Total"})
    return {"groups": groups, "denoms": [{"units": "Participants", "counts": counts}] if counts
            else [], "measures": measures}


def _table(measure: dict, rows: list[tuple[str, dict]], baseline_measure: bool = False) -> dict:
    """A measure: its param and dispersion types, and a class of categories of cells."""
    categories = {first_text(c.get("id")): first_text(c.get("name")) for c in
                  _items(measure.get("categories"), "category")}
    countable = first_text(measure.get("countable")) == "true" or (
        baseline_measure and "Categorical" in first_text(measure.get("title")) or bool(categories))
    table: dict = {"title": first_text(measure.get("title")),
                   "description": first_text(measure.get("description")),
                   "unitOfMeasure": first_text(measure.get("unit"))}
    cells: dict[str, list[dict]] = {}
    if countable:
        table["paramType"] = "COUNT_OF_PARTICIPANTS"
        for gid, row in rows:
            for value in _items(row.get("countableValues"), "countableValue"):
                cells.setdefault(first_text(value.get("categoryId")), []).append(
                    {"groupId": gid, "value": first_text(value.get("value"))})
    else:
        table["paramType"] = PARAM.get(_code(measure.get("centralTendencyType")), "NUMBER")
        dispersion = _code(measure.get("dispersionType"))
        kind = CONFIDENCE.get(first_text(measure.get("percentage")), "CONFIDENCE_OTHER") \
            if dispersion == "confidenceInterval" else DISPERSION.get(dispersion, "")
        if kind:
            table["dispersionType"] = kind
        for gid, row in rows:
            tendencies = _items(row.get("tendencyValues"), "tendencyValue") or (
                [row["tendencyValue"]] if isinstance(row.get("tendencyValue"), dict) else [])
            spreads = _items(row.get("dispersionValues"), "dispersionValue") or (
                [row["dispersionValue"]] if isinstance(row.get("dispersionValue"), dict) else [])
            for number, tendency in enumerate(tendencies):
                cell = {"groupId": gid, "value": first_text(tendency.get("value"))}
                spread = spreads[number] if number < len(spreads) else {}
                if kind in LIMITS:
                    cell["lowerLimit"] = first_text(spread.get("value"))
                    cell["upperLimit"] = first_text(spread.get("highRangeValue"))
                elif kind and kind != "NA":
                    cell["spread"] = first_text(spread.get("value"))
                cells.setdefault(first_text(tendency.get("categoryId")), []).append(
                    {k: v for k, v in cell.items() if v})
    table["classes"] = [{"categories": [
        {"title": categories.get(category, ""), "measurements": [c for c in found if "value" in c]}
        for category, found in cells.items()]}] if cells else []
    return table


def _end_point(point: dict, titles: dict[str, str]) -> dict:
    groups, counts, rows = [], [], []
    for key, inner, ref in (("armReportingGroups", "armReportingGroup", "armId"),
                            ("subjectAnalysisSetReportingGroups", "subjectAnalysisSetReportingGroup",
                             "subjectAnalysisSetId")):
        for group in _items(point.get(key), inner):
            gid = first_text(group.get("id"))
            groups.append({"id": gid, "title": titles.get(first_text(group.get(ref))) or gid})
            if first_text(group.get("subjects")):
                counts.append({"groupId": gid, "value": first_text(group["subjects"])})
            rows.append((gid, group))
    table = _table(point, rows)
    table.update({"type": OUTCOME_TYPES.get(_code(point.get("type")), "POST_HOC"),
                  "timeFrame": first_text(point.get("timeFrame")), "groups": groups,
                  "denoms": [{"units": "Participants", "counts": counts}] if counts else []})
    table["analyses"] = [_analysis(a) for a in
                         _items(point.get("statisticalAnalyses"), "statisticalAnalysis")]
    return table


def _analysis(analysis: dict) -> dict:
    estimate = _dict(analysis, "parameterEstimate")
    interval = _dict(estimate, "confidenceInterval")
    test = _dict(analysis, "statisticalHypothesisTest")
    variability = _dict(estimate, "variabilityEstimate")
    kind = _code(estimate.get("type"))
    ids = [first_text(i) for key in ("armComparisonGroupId", "subjectAnalysisSetComparisonGroupId")
           for i in listed(analysis.get(key))]
    method = _code(test.get("method"))
    relation = first_text(test.get("valueEqualityRelation"))
    p_value = first_text(test.get("value"))
    found = {
        "groupIds": [i for i in ids if i],
        "groupDescription": " ".join(t for t in (first_text(analysis.get("title")),
                                                  first_text(analysis.get("description"))) if t),
        "paramType": first_text(estimate.get("otherType")) if kind == "other" else _words(kind),
        "paramValue": first_text(estimate.get("pointEstimate")),
        "ciPctValue": first_text(interval.get("percentage")),
        "ciNumSides": SIDES.get(_code(interval.get("sides"))),
        "ciLowerLimit": first_text(interval.get("lowerLimit")),
        "ciUpperLimit": first_text(interval.get("upperLimit")),
        "dispersionType": VARIABILITY.get(_code(variability.get("type"))),
        "dispersionValue": first_text(variability.get("dispersionValue")),
        "pValue": (relation if relation and relation != "=" else "") + p_value if p_value else "",
        "statisticalMethod": first_text(test.get("otherMethod")) if method == "other"
        else _words(method),
        "statisticalComment": first_text(test.get("comment")) or first_text(analysis.get("comment")),
    }
    return {k: v for k, v in found.items() if v}


def _adverse_events(events: dict) -> dict:
    groups = []
    for group in _items(events.get("reportingGroups"), "reportingGroup"):
        exposed = first_text(group.get("subjectsExposed"))
        groups.append({"id": first_text(group.get("id")), "title": first_text(group.get("title")),
                       "description": first_text(group.get("description")),
                       "deathsNumAffected": first_text(group.get("deathsAllCauses")),
                       "deathsNumAtRisk": exposed,
                       "seriousNumAffected": first_text(
                           group.get("subjectsAffectedBySeriousAdverseEvents")),
                       "seriousNumAtRisk": exposed,
                       "otherNumAffected": first_text(
                           group.get("subjectsAffectedByNonSeriousAdverseEvents")),
                       "otherNumAtRisk": exposed})
        groups[-1] = {k: int(v) if k.startswith(("deaths", "serious", "other")) and v.isdigit()
                      else v for k, v in groups[-1].items()}
    dictionary = _dict(events, "dictionary")
    vocabulary = " ".join(t for t in (_words(_code(dictionary.get("name"))).replace(
        "Meddra", "MedDRA"), first_text(dictionary.get("version"))) if t)
    section = {"frequencyThreshold": first_text(events.get("nonSeriousEventFrequencyThreshold")),
               "timeFrame": first_text(events.get("timeFrame")),
               "description": first_text(events.get("description")),
               "eventGroups": [{k: v for k, v in g.items() if v} for g in groups]}
    for key, outer, inner in (("seriousEvents", "seriousAdverseEvents", "seriousAdverseEvent"),
                              ("otherEvents", "nonSeriousAdverseEvents",
                               "nonSeriousAdverseEvent")):
        section[key] = [{
            "term": first_text(event.get("term")),
            "sourceVocabulary": vocabulary,
            "notes": f"organ system: EUTCT {first_text(_dict(event, 'organSystem').get('eutctId'))}"
            if first_text(_dict(event, "organSystem").get("eutctId")) else "",
            "assessmentType": ASSESSMENT.get(_code(event.get("assessmentMethod"))),
            "stats": [{"groupId": first_text(v.get("reportingGroupId")),
                       "numEvents": first_text(v.get("occurrences")),
                       "numAffected": first_text(v.get("subjectsAffected")),
                       "numAtRisk": first_text(v.get("subjectsExposed"))}
                      for v in _items(event.get("values"), "value")],
        } for event in _items(events.get(outer), inner)]
        section[key] = [{k: v for k, v in e.items() if v} for e in section[key]]
    return {k: v for k, v in section.items() if v}
