"""``kg sync`` against a local registry that changes between runs: a record modified, one added,
one removed, a page that fails with 500 and then recovers. After each day the store holds
exactly the registry's trials; the description graph records every run; a run with nothing new
asks only for the changes and changes nothing; a run killed mid-way and run again ends where an
uninterrupted one does."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from kg.stores.oxigraph import OxigraphStore
from tests.registry_server import (
    BASE,
    RANGE,
    day_two,
    record,
    runs,
    sync,
    title,
    trial_graphs,
)


def test_two_days_of_sync_keep_the_store_equal_to_the_registry(registry, tmp_path):
    store = tmp_path / "store"
    first = sync(registry, store)
    assert first.returncode == 0, first.stderr
    assert "every record: 5 added" in first.stderr
    assert set(trial_graphs(store)) == set(registry.records)
    old_title = title(store, "NCT01000002")

    day_two(registry)
    registry.fail_next = 2  # the first page fails twice, then the retry gets it
    registry.requests.clear()
    second = sync(registry, store, "--prune")
    assert second.returncode == 0, second.stderr
    assert "records updated since 2026-11-25" in second.stderr
    assert "1 added, 1 updated" in second.stderr and "1 removed" in second.stderr
    assert "removed: NCT01000003" in second.stderr
    assert set(trial_graphs(store)) == set(registry.records), "exactly the registry's trials"
    assert title(store, "NCT01000002") == {"A new title"} and not old_title & {"A new title"}
    assert sum(1 for r in registry.requests if r.get("fields") == "NCTId") >= 1

    recorded = runs(store)
    assert len(recorded) == 2
    assert recorded[0]["since"] is None and recorded[0]["through"] == "2026-11-25"
    assert recorded[1]["since"] == "2026-11-25" and recorded[1]["through"] == "2026-11-30"
    assert (recorded[1]["added"], recorded[1]["updated"], recorded[1]["removed"]) == ("1", "1", "1")

    before = trial_graphs(store)
    registry.requests.clear()
    third = sync(registry, store)
    assert third.returncode == 0, third.stderr
    assert "0 added, 0 updated" in third.stderr and "2 unchanged" in third.stderr
    assert all(RANGE.search(r.get("filter.advanced", "")).group(1) == "2026-11-30"
               for r in registry.requests), "only the changes are asked for"
    assert trial_graphs(store) == before
    assert len(runs(store)) == 3


def test_a_sync_killed_mid_run_and_run_again_ends_as_an_uninterrupted_one(registry, tmp_path):
    for store in ("killed", "whole"):
        assert sync(registry, tmp_path / store).returncode == 0
    day_two(registry)
    for n in range(7, 10):  # more pages, so there is a middle to kill it in
        registry.records[f"NCT0100000{n}"] = record(f"NCT0100000{n}", "2026-11-30")
    registry.delay = 0.4
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "sync", "--store",
                                str(tmp_path / "killed"), "--api-url", registry.url, "--rate",
                                "0", "-w", "1", "--prune"], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    registry.requests.clear()
    while time.monotonic() < deadline and len(registry.requests) < 2:
        time.sleep(0.05)
    process.kill()
    process.wait(30)
    registry.delay = 0.0
    assert sync(registry, tmp_path / "killed", "--prune").returncode == 0
    assert sync(registry, tmp_path / "whole", "--prune").returncode == 0
    assert trial_graphs(tmp_path / "killed") == trial_graphs(tmp_path / "whole")
    assert set(trial_graphs(tmp_path / "killed")) == set(registry.records)


def test_a_dry_run_says_what_would_change_and_changes_nothing(registry, tmp_path):
    store = tmp_path / "store"
    assert sync(registry, store).returncode == 0
    day_two(registry)
    before = trial_graphs(store)
    dry = sync(registry, store, "--prune", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run:" in dry.stderr and "1 added, 1 updated" in dry.stderr
    assert "would remove: NCT01000003" in dry.stderr
    assert trial_graphs(store) == before and len(runs(store)) == 1


def test_a_registry_that_stays_down_ends_the_run_unrecorded_and_the_next_run_catches_up(
        registry, tmp_path):
    store = tmp_path / "store"
    assert sync(registry, store).returncode == 0
    day_two(registry)
    registry.fail_next = 100
    down = sync(registry, store, "--retries", "1")
    assert down.returncode == 2 and "could not be read to the end" in down.stderr
    assert len(runs(store)) == 1, "a failed run is not recorded: the next one starts from day one"
    registry.fail_next = 0
    again = sync(registry, store)
    assert again.returncode == 0 and "records updated since 2026-11-25" in again.stderr
    assert title(store, "NCT01000002") == {"A new title"}


def stored_ids(store) -> set[str]:
    return set(trial_graphs(store))


@pytest.mark.parametrize("listing", [
    {"studies": [], "totalCount": 0},
    {"studies": []},
    {"studies": [{"protocolSection": {"identificationModule": {"nctId": "NCT01000001"}}}],
     "totalCount": 5},
], ids=["empty-with-zero-total", "empty-without-total", "shorter-than-its-total"])
def test_a_registry_list_that_contradicts_the_run_prunes_nothing(registry, tmp_path, listing):
    store = tmp_path / "store"
    assert sync(registry, store).returncode == 0
    registry.listing = listing
    pruned = sync(registry, store, "--prune")
    assert pruned.returncode == 1, pruned.stderr
    assert "not pruned:" in pruned.stderr and "nothing removed" in pruned.stderr
    assert stored_ids(store) == set(registry.records), "every trial is still there"
    assert len(runs(store)) == 2, "the loading part of the run is recorded"


def test_removals_above_prune_max_need_force(registry, tmp_path):
    store = tmp_path / "store"
    assert sync(registry, store).returncode == 0
    for gone in ("NCT01000001", "NCT01000002"):
        del registry.records[gone]
    held = sync(registry, store, "--prune", "--prune-max", "1")
    assert held.returncode == 1 and "2 of the store's 5 trials would be removed" in held.stderr
    assert len(stored_ids(store)) == 5
    forced = sync(registry, store, "--prune", "--prune-max", "1", "--force")
    assert forced.returncode == 0, forced.stderr
    assert stored_ids(store) == set(registry.records)


def test_a_record_dated_in_the_future_does_not_move_the_cursor_past_today(registry, tmp_path):
    import datetime

    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    registry.records["NCT01000009"] = record("NCT01000009", "2099-12-31")
    store = tmp_path / "store"
    first = sync(registry, store)
    assert first.returncode == 0, first.stderr
    assert "NCT01000009: last update posted 2099-12-31, after today" in first.stderr
    assert "NCT01000009" in stored_ids(store), "the record itself is loaded"
    assert runs(store)[0]["through"] == "2026-11-25" <= today
    registry.records["NCT01000002"] = record("NCT01000002", today, "Changed today")
    registry.requests.clear()
    second = sync(registry, store)
    assert second.returncode == 0, second.stderr
    assert title(store, "NCT01000002") == {"Changed today"}
    asked = {RANGE.search(r.get("filter.advanced", "")).group(1) for r in registry.requests}
    assert asked == {"2026-11-25"}


def test_a_store_whose_cursor_an_older_run_set_in_the_future_catches_up(registry, tmp_path):
    import datetime

    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    store = tmp_path / "store"
    assert sync(registry, store).returncode == 0
    opened = OxigraphStore(store)
    opened.update(f"""PREFIX kg: <https://w3id.org/ctkg/vocab#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        INSERT DATA {{ GRAPH <{BASE}dataset> {{ <{BASE}dataset/sync/frozen> a kg:SyncRun ;
            kg:syncedThrough "2099-12-31" ;
            prov:endedAtTime "2098-01-01T00:00:00+00:00"^^xsd:dateTime }} }}""")
    opened.close()
    registry.requests.clear()
    assert sync(registry, store).returncode == 0
    asked = {RANGE.search(r.get("filter.advanced", "")).group(1) for r in registry.requests}
    assert asked == {today}


def test_a_registry_repeating_its_page_token_stops_the_run_with_a_clear_error(registry,
                                                                               tmp_path):
    registry.loop_tokens = True
    looped = subprocess.run([sys.executable, "-m", "kg.cli", "sync", "--store",
                             str(tmp_path / "store"), "--api-url", registry.url, "--rate", "0",
                             "-w", "1"], capture_output=True, text=True, timeout=120)
    assert looped.returncode == 1, looped.stderr  # what it read is loaded; the run is not recorded
    assert "paging loops" in looped.stderr
    assert len(registry.requests) < 10
    assert runs(tmp_path / "store") == []


def test_a_page_cut_short_is_asked_for_again(registry, tmp_path):
    registry.truncate_next = 2
    done = sync(registry, tmp_path / "store")
    assert done.returncode == 0, done.stderr
    assert stored_ids(tmp_path / "store") == set(registry.records)
    registry.truncate_next = 100
    down = sync(registry, tmp_path / "again", "--retries", "1")
    assert down.returncode == 2
    assert "page 1 of the search is not JSON" in down.stderr and "after 2 tries" in down.stderr
    assert "Traceback" not in down.stderr


def test_a_record_met_twice_while_the_search_is_paged_keeps_its_newer_copy(registry, tmp_path):
    """The registry orders by last update: a record updated after the first page was read moves
    to the last page, so one answer holds it twice, the older copy first."""
    def update_the_first_record(start: int) -> None:
        if start == 0 and registry.records["NCT01000001"]["protocolSection"]["statusModule"][
                "lastUpdatePostDateStruct"]["date"] != "2026-11-26":
            registry.records["NCT01000001"] = record("NCT01000001", "2026-11-26", "Moved on")

    registry.after_page = update_the_first_record
    store = tmp_path / "store"
    done = sync(registry, store)
    assert done.returncode == 0, done.stderr
    assert "NCT01000001: met twice in the registry's answer; the newer copy is kept" in \
        done.stderr
    assert title(store, "NCT01000001") == {"Moved on"}
