"""The documented ways to build part of the warehouse work on a fresh warehouse (a new
BAWH_DUCKDB_PATH: nothing built, no seed loaded), with no flag beyond the documented ones.

Two of them used to fail there:

* reading support-platform exports (`--vars '{support_files_location: ...}'`, README):
  the unit test of stg_support__user_activity took its fixtures' columns from the demo seed
  and the source's table, which such a build never loads;
* building a subgraph (`--select +fct_sessions`): dbt's default indirect selection (eager) ran
  every test reading a selected model, also those reading a model outside the selection
  (relationships tests, reconciliations across models), which did not exist. The project sets
  `indirect_selection: cautious` (dbt_project.yml, flags): such a test waits for a build that
  selects all of its models.

One build covers both (a parse and a build are most of a test's time): the sessions mart with
its parents, and the support models reading a folder of exports.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bawh.support import TABLE_FILES
from conftest import PROJECT_DIR, DbtRun, run_dbt

SELECTION = ["--select", "+fct_sessions", "path:models/staging/support+"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtRun, Path]:
    """`dbt build --select +fct_sessions path:models/staging/support+ --vars
    '{support_files_location: <folder>}'` on a fresh warehouse; the folder holds the demo
    support data under the export file names."""
    work_dir = tmp_path_factory.mktemp("readme_commands")
    exports = work_dir / "exports" / "support"
    exports.mkdir(parents=True)
    for demo_name, file_name in TABLE_FILES.values():
        shutil.copy(PROJECT_DIR / "seeds" / "demo" / demo_name, exports / file_name)
    run = run_dbt(["build", *SELECTION], work_dir, {"support_files_location": str(exports)})
    assert run.returncode == 0, run.output[-6000:]
    return run, exports


def _passed(run: DbtRun, name: str) -> bool:
    """The build ran the node of this name and it passed: dbt's `N of M PASS <test>` or
    `N of M OK ... <schema>.<model or seed>` line."""
    return re.search(rf" of \d+ (PASS|OK)\b.*[ .:]{re.escape(name)}[ .]", run.output) is not None


def test_support_exports_build_with_their_unit_test(built: tuple[DbtRun, Path]) -> None:
    run, exports = built
    assert _passed(run, "support_user_activity_validation_reasons")
    # every exported row is read from the folder: a clean session or a quarantined row
    with open(exports / TABLE_FILES["user_activity"][1], encoding="utf-8") as handle:
        exported = sum(1 for _ in handle) - 1
    [(sessions,)] = run.query("select count(*) from marts.fct_support_sessions")
    [(quarantined,)] = run.query(
        "select count(*) from intermediate.int_support_rows_quarantined"
        " where source_table = 'user_activity'"
    )
    assert sessions > 0
    assert sessions + quarantined == exported
    # the demo seeds of the support platform are not loaded: the exports replace them
    assert run.query(
        "select table_name from information_schema.tables where table_name like 'support_%'"
    ) == []


def test_a_subgraph_runs_the_tests_whose_models_it_builds(built: tuple[DbtRun, Path]) -> None:
    run, _ = built
    assert _passed(run, "raw.raw_events")  # `+` selects the demo seeds the subgraph reads
    assert _passed(run, "fct_sessions")
    # a test across two models of the selection runs ...
    assert _passed(run, "relationships_fct_page_views_session_id__session_id__ref_fct_sessions_")
    assert _passed(run, "assert_support_rows_reconcile")
    # ... one reading a model outside it does not (eager selection ran them, and they failed)
    for outside in [
        "relationships_fct_person_funnels_entry_session_id__session_id__ref_fct_sessions_",
        "relationships_fct_sessions_person_id__person_id__ref_dim_persons_",
        "assert_every_raw_row_is_accounted_for",  # int_events_quarantined
        "assert_hourly_channel_traffic_reconciles_with_sessions",  # int_channel_hours_aggregated
    ]:
        assert outside not in run.output, outside
