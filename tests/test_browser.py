"""A real browser opens the reference trial's page: headless Chromium from Debian's packages,
driven by Playwright (no browser download). It checks the text a person sees and saves a
screenshot; with ``KG_UPDATE_SCREENSHOT=1`` the screenshot also replaces the README's one in
``docs/``. Skipped with the reason where Chromium is not installed, except where
``KG_REQUIRE_BROWSER`` is set (CI sets it)."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import ROOT
from tests.serve_fixture import server  # noqa: F401  (fixture)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DOIS = {"https://doi.org/10.1177/0961203306075793", "https://doi.org/10.1016/j.cellimm.2007.10.004",
        "https://doi.org/10.1080/08820130801973328", "https://doi.org/10.1186/s13287-018-1053-4"}
# As the machine's probe starts it: no sandbox as root, nothing that phones home.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("KG_REQUIRE_BROWSER"):
            pytest.fail("chromium not found but KG_REQUIRE_BROWSER is set (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def test_the_reference_trials_page_shows_its_facts_in_a_real_browser(browser, server,  # noqa: F811
                                                                      tmp_path):
    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    response = page.goto(f"{server.url}/id/trial/NCT00698191")
    assert response.status == 200
    text = page.inner_text("body")
    assert page.inner_text("h1") == ("Mesenchymal Stem Cells Transplantation for Refractory "
                                     "Systemic Lupus Erythematosus (SLE)")
    for fact in ("Unknown status", "National Natural Science Foundation of China",
                 "Nanjing Medical University", "Phase 1", "Phase 2", "2007-03",
                 "Lupus Erythematosus, Systemic"):
        assert fact in text, fact
    links = {a.get_attribute("href") for a in page.query_selector_all("a[href^='https://doi.org/']")}
    assert links == DOIS
    assert page.is_visible("text=References")
    shot = tmp_path / "reference-trial.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("KG_UPDATE_SCREENSHOT"):
        shutil.copy(shot, ROOT / "docs" / "reference-trial.png")
    page.close()
