"""The DuckDB profile's resource settings (README "Benchmark") take effect and survive a
build that spills to disk.

dbt-duckdb runs the profile's `settings` again on every new cursor, and DuckDB refuses to
switch temp_directory once it has spilled there, even to the same path: with the resources
under `settings`, a 100M-event build failed on the first model after the first spill. They
are `config_options` now, set once when the database opens. The build here sorts 3 million
md5 strings (over 150 MB) under a 40 MB memory_limit, so it must spill, then builds a second
model on a new cursor."""

from __future__ import annotations

from pathlib import Path

from conftest import DbtRun, run_dbt

SORTED_ROWS = 3_000_000
ENVIRONMENT = {
    "BAWH_DUCKDB_THREADS": "1",
    "BAWH_DUCKDB_MEMORY_LIMIT": "40MB",
    "BAWH_DUCKDB_PRESERVE_INSERTION_ORDER": "false",
}


def build_probe_project(tmp_path: Path) -> DbtRun:
    """A two-model project on this repository's profile: a sort that spills, then a model
    that reads the DuckDB settings in effect."""
    project = tmp_path / "probe"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: profile_probe\nversion: '1.0'\nprofile: behavioral_warehouse\n"
        "models:\n  profile_probe:\n    +materialized: table\n"
    )
    (project / "models" / "sorted_hashes.sql").write_text(
        f"select i, md5(cast(i as varchar)) as h from range({SORTED_ROWS}) as t(i) order by h"
    )
    (project / "models" / "settings_in_effect.sql").write_text(
        "select (select count(*) from {{ ref('sorted_hashes') }}) as n_sorted,"
        " current_setting('threads') as threads,"
        " current_setting('memory_limit') as memory_limit,"
        " current_setting('temp_directory') as temp_directory,"
        " current_setting('preserve_insertion_order') as preserve_insertion_order,"
        " current_setting('TimeZone') as time_zone"
    )
    return run_dbt(
        ["run"],
        tmp_path,
        environment={**ENVIRONMENT, "BAWH_DUCKDB_TEMP_DIRECTORY": str(tmp_path / "spill")},
        project_dir=project,
    )


def test_a_build_that_spills_then_opens_a_new_cursor_succeeds_with_the_settings(tmp_path: Path) -> None:
    run = build_probe_project(tmp_path)
    assert run.returncode == 0, run.output[-4000:]
    (row,) = run.query("select * from main.settings_in_effect")
    n_sorted, threads, memory_limit, temp_directory, preserve_insertion_order, time_zone = row
    assert n_sorted == SORTED_ROWS
    assert str(threads) == ENVIRONMENT["BAWH_DUCKDB_THREADS"]
    # DuckDB reports 40MB as 38.1 MiB
    assert memory_limit.endswith("MiB") and 35 < float(memory_limit.split()[0]) <= 40, memory_limit
    assert temp_directory == str(tmp_path / "spill")
    assert str(preserve_insertion_order).lower() == "false"
    assert time_zone == "UTC"
