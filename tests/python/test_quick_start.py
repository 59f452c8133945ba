"""The README's quick start on a fresh copy of the repository: `make run` installs the core
package only, builds and tests the demo warehouse, publishes it and prints the summary.

The copy holds the files a clone would (tracked, plus new files git does not ignore), with no
virtual environment and no build output, so the Makefile's install step runs as a new user's
does. The numbers the summary prints are checked against the committed demo seed.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR

pytestmark = pytest.mark.slow


def extra_packages() -> list[str]:
    """The packages every extra of pyproject.toml names (none may come with `make run`)."""
    extras = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    return sorted({re.split(r"[\[=<>]", pin)[0] for group in extras.values() for pin in group})


def fresh_copy(destination: Path) -> Path:
    """The repository as a clone of the working tree would have it."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = PROJECT_DIR / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


@pytest.fixture(scope="module")
def quick_start(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    clone = fresh_copy(tmp_path_factory.mktemp("clone"))
    environment = {
        name: value for name, value in os.environ.items()
        if not name.startswith(("BAWH_", "DBT_", "VIRTUAL_ENV", "PYTHON"))
    }
    completed = subprocess.run(
        ["make", "run"], cwd=clone, env=environment, capture_output=True, text=True, check=False
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    return clone, output


def test_make_run_installs_the_core_only(quick_start: tuple[Path, str]) -> None:
    clone, _ = quick_start
    pip = clone / ".venv" / "bin" / "pip"
    for package in ("dbt-core", "dbt-duckdb", "duckdb", "bawh"):
        assert subprocess.run([str(pip), "show", "-q", package], capture_output=True).returncode == 0
    for package in extra_packages():
        shown = subprocess.run([str(pip), "show", "-q", package], capture_output=True)
        assert shown.returncode != 0, f"{package} is an extra, but make run installed it"


def test_make_run_prints_the_summary_of_the_demo_seed(quick_start: tuple[Path, str]) -> None:
    clone, output = quick_start
    with open(clone / "seeds" / "demo" / "raw_events.csv", newline="", encoding="utf-8") as handle:
        raw_rows = sum(1 for _ in csv.DictReader(handle))
    printed = re.search(r"events read\s+([\d,]+)", output)
    assert printed is not None, output[-3000:]
    assert int(printed.group(1).replace(",", "")) == raw_rows
    warehouse = clone / "behavioral_warehouse.duckdb"
    assert f"warehouse file     {warehouse}" in output
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute(
            "select n_raw_rows, n_unaccounted_rows from reports.rpt_event_reconciliation"
        ).fetchall() == [(raw_rows, 0)]
    # the README's experiment readout and model quality are what make run prints
    readme = (clone / "README.md").read_text()
    for block, n_lines in (("  experiments        ", 3), ("  predictions        ", 4)):
        shown = readme[readme.index(block):].split("```")[0].strip("\n").splitlines()
        assert len(shown) == n_lines
        for line in shown:
            assert line in output, (line, output[-3000:])


def test_make_run_publishes_for_readers(quick_start: tuple[Path, str]) -> None:
    clone, _ = quick_start
    catalog = clone / "publication" / "current" / "catalog.duckdb"
    with duckdb.connect(str(catalog), read_only=True) as connection:
        (sessions,) = connection.execute("select count(*) from marts.fct_sessions").fetchone() or (0,)
    assert sessions > 0


def test_bawh_activate_sends_the_demo_audiences_once(quick_start: tuple[Path, str]) -> None:
    """The README's `bawh activate`, to a folder, on the warehouse `make run` built: every
    audience change once, nothing on a second run."""
    clone, _ = quick_start
    warehouse = clone / "behavioral_warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        changes = connection.execute("select change_id from marts.fct_audience_changes").fetchall()
    expected = sorted(change_id for (change_id,) in changes)
    assert expected
    command = [str(clone / ".venv" / "bin" / "bawh"), "activate", "--file", "drop"]
    first = subprocess.run(command, cwd=clone, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    sent = sorted(
        json.loads(line)["change_id"]
        for path in (clone / "drop").glob("*.jsonl")
        for line in path.read_text().splitlines()
    )
    assert sent == expected
    second = subprocess.run(command, cwd=clone, capture_output=True, text=True, check=False)
    assert second.returncode == 0 and "nothing new" in second.stdout, second.stdout + second.stderr
