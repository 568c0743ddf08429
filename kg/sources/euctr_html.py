"""An EU CTR trial page (``/ctr-search/trial/{EudraCT}/{member state}``): the protocol of one
member state's record as a table of section code, label and value. A record gets the keys
ctrdata gives the same fields of the register's text download (section code and label:
``A.2`` "EudraCT number" -> ``a2_eudract_number``), so one EU CTR mapping reads both; the
repeated sections become lists as there (``b1_sponsor``, ``dimp``, its
``d38_imp_identification_details``, ``e12_meddra_classification``). The page's summary rows
become the ``x4``-``x6`` keys and ``a1_member_state_concerned`` the text download has.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from kg.errors import RecordError
from kg.sources.units import SourceItem

_ROW = re.compile(r'<td class="first">(.*?)</td>\s*<td class="second">(.*?)</td>\s*'
                  r'<td class="third">(.*?)</td>\s*</tr>', re.S)
_SUMMARY = re.compile(r'<td class="cellGrey"[^>]*>(.*?)</td>\s*<td class="cellLighterGrey"[^>]*>'
                      r'(.*?)</td>', re.S)
_TAG = re.compile(r"<[^>]+>")
_SUMMARY_KEYS = {
    "clinical trial type": "x4_clinical_trial_type",
    "trial status": "x5_trial_status",
    "date on which this record was first entered in the eudract database":
        "x6_date_on_which_this_record_was_first_entered_in_the_eudract_database",
    "member state concerned": "a1_member_state_concerned",
    "eudract number": "a2_eudract_number",
}
# Where a repeated section starts, the list it goes into, and the sub-list of its own.
_GROUPS = (("b11_", "b1_sponsor"), ("d12_and_d13_", "dimp"))
_SUBGROUPS = (("d38_", "d38_imp_identification_details"),
              ("e12_version", "e12_meddra_classification"))


def _clean(fragment: str) -> str:
    return html.unescape(" ".join(_TAG.sub(" ", fragment).split()))


def field_key(code: str, label: str) -> str:
    """ctrdata's key of a field: ``E.1.1`` "Medical condition(s) being investigated" ->
    ``e11_medical_conditions_being_investigated``."""
    code_part = re.sub(r"[^a-z0-9_]", "", code.lower().replace(" and ", "_and_").replace(" ", ""))
    words = re.sub(r"[^a-z0-9 ]", "", label.lower()).split()
    return "_".join([code_part, *words]) if words else code_part


def page_record(page: str) -> dict:
    record: dict = {}
    for name, value in _SUMMARY.findall(page):
        key = _SUMMARY_KEYS.get(_clean(name).rstrip(":").strip().lower())
        if key and _clean(value):
            record.setdefault(key, _clean(value))
    group: dict | None = None
    sub: dict | None = None
    for code, label, value in _ROW.findall(page):
        key, text = field_key(_clean(code), _clean(label)), _clean(value)
        starts = next((name for prefix, name in _GROUPS if key.startswith(prefix)), None)
        if starts is not None:
            group = {}
            record.setdefault(starts, []).append(group)
            sub = None
        elif group is not None and not key.startswith(("b", "d")):
            group = sub = None
        sub_name = next((name for prefix, name in _SUBGROUPS if key.startswith(prefix)), None)
        if sub_name is not None:
            sub = {}
            (group if group is not None and sub_name.startswith("d") else record).setdefault(
                sub_name, []).append(sub)
        elif sub is not None and not key.startswith(("d39", "d310", "e12_")):
            sub = None
        (sub if sub is not None else group if group is not None else record).setdefault(key, text)
    return record


def euctr_html_items(data: bytes, origin: str) -> Iterator[SourceItem]:
    page = data.decode("utf-8", "replace")
    record = page_record(page)
    if not record.get("a2_eudract_number"):
        yield SourceItem(origin, None, RecordError(
            "an HTML page without an EU CTR protocol (no A.2 EudraCT number)", origin=origin,
            field="A.2"))
        return
    record["ctrname"] = "EUCTR"
    yield SourceItem(origin, record, None, "euctr")
