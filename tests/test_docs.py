"""The documentation holds to the code: the README's tour runs and prints what the README
shows; every ``kg`` command shown in the README and the documentation site names a real command
and real options; the generated vocabulary reference and data-model picture are what the
shapes and the ontology say. (``mkdocs build --strict`` runs in ``make test`` beside this.)"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys

import pytest

from kg.cli import main
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def code_blocks(path) -> list[tuple[str, str]]:
    return FENCE.findall(path.read_text(encoding="utf-8"))


def tour() -> list[tuple[str, list[str]]]:
    """The README's console blocks: each ``$ kg ...`` command with the lines it prints."""
    steps: list[tuple[str, list[str]]] = []
    for kind, body in code_blocks(ROOT / "README.md"):
        if kind != "console":
            continue
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line.rstrip())
    return steps


def test_the_readme_tour_runs_and_prints_what_the_readme_shows(tmp_path):
    for folder in ("examples", "queries"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    ran = 0
    for command, shown in tour():
        if not command.startswith("kg ") or command.startswith("kg serve"):
            continue  # kg serve runs until stopped: its first line is checked below
        done = subprocess.run([sys.executable, "-m", "kg.cli", *shlex.split(command)[1:]],
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)
        printed = [line.rstrip() for line in (done.stdout + done.stderr).splitlines()]
        assert done.returncode == 0, (command, done.stderr)
        assert printed == shown, f"{command}: the README shows {shown}, kg printed {printed}"
        ran += 1
    assert ran >= 5, "the tour's export, validate, load and queries ran"


def test_the_readme_shows_the_line_kg_serve_prints(tmp_path):
    [(command, shown)] = [(c, s) for c, s in tour() if c.startswith("kg serve")]
    store = tmp_path / "store"
    subprocess.run([sys.executable, "-m", "kg.cli", "load", str(ROOT / "examples" /
                    "NCT00698191.json"), "--store", str(store), "-q"], check=True)
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store),
                               "--port", "0", "--processes", "2"], stderr=subprocess.PIPE,
                              text=True)
    try:
        first = server.stderr.readline().rstrip()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert re.sub(r"127\.0\.0\.1:\d+/", "127.0.0.1:8000/", first) == shown[0]


def shown_commands() -> list[tuple[str, str]]:
    """Every ``kg ...`` command line in the README's and the site's code blocks (continuation
    lines joined, comments and prompts dropped), with the file it is in."""
    found = []
    for path in DOCS:
        for kind, body in code_blocks(path):
            if kind not in ("", "sh", "console", "bash"):
                continue
            text = re.sub(r"\\\n\s*", " ", body)
            for line in text.splitlines():
                line = line.removeprefix("$ ").split("  #", 1)[0].strip()
                if line.startswith("kg "):
                    found.append((str(path.relative_to(ROOT)), line))
    return found


def test_every_kg_command_shown_in_the_docs_names_real_options():
    shown = shown_commands()
    assert len(shown) > 30
    for where, line in shown:
        words = shlex.split(line.split(" < ")[0].split(" | ")[0])
        command = main.commands.get(words[1])
        assert command is not None, f"{where}: {line!r}: no command {words[1]!r}"
        options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}
        for word in words[2:]:
            if word.startswith("-") and word != "-":
                name = word.split("=", 1)[0]
                assert name in options, f"{where}: {line!r}: kg {words[1]} has no {name}"


def test_the_vocabulary_reference_and_the_data_model_picture_are_current():
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "generate.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("page", ["guide/export.md", "guide/validate.md", "guide/load.md",
                                  "guide/query.md", "guide/sync.md", "guide/serve.md",
                                  "guide/link.md", "guide/enrich.md", "data-model.md",
                                  "reference/cli.md", "reference/vocabulary.md",
                                  "performance.md", "reliability.md", "design.md"])
def test_every_page_the_issue_asks_for_is_in_the_site(page):
    assert (ROOT / "docs" / page).exists()
    assert page in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
