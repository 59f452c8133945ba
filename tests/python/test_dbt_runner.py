"""bawh.dbt_runner: the command line and environment of a dbt invocation, and one real run
showing that dbt writes only where it was told."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from bawh import dbt_runner
from bawh.dbt_runner import DbtInvocation
from conftest import PROJECT_DIR


def _flag(argv: list[str], name: str) -> str:
    """The value after ``name``; fails when the flag is missing or repeated."""
    assert argv.count(name) == 1, argv
    return argv[argv.index(name) + 1]


def test_the_command_line_places_everything_and_passes_vars_as_json(tmp_path: Path) -> None:
    variables = {
        "raw_events_location": str(tmp_path / "landing dir" / "it's" / "*.parquet"),
        "person_buckets": 16,
        "lookback": {"hours": 3},
    }
    invocation = DbtInvocation.in_work_dir(
        ["build", "--exclude", "raw_events"], tmp_path, project_dir=PROJECT_DIR,
        variables=variables, target="postgres",
    )
    argv = invocation.argv()
    assert argv[0] == dbt_runner.dbt_executable()
    assert argv[1:4] == ["build", "--exclude", "raw_events"]
    assert _flag(argv, "--project-dir") == str(PROJECT_DIR)
    assert _flag(argv, "--target-path") == str(tmp_path / "target")
    assert _flag(argv, "--log-path") == str(tmp_path / "logs")
    assert _flag(argv, "--target") == "postgres"
    assert json.loads(_flag(argv, "--vars")) == variables
    assert invocation.cwd == PROJECT_DIR
    assert dataclasses.replace(invocation, run_in=tmp_path).cwd == tmp_path


def test_unset_settings_add_no_flags() -> None:
    argv = DbtInvocation(["parse"], project_dir=PROJECT_DIR).argv()
    assert argv[1:] == ["parse", "--project-dir", str(PROJECT_DIR)]


def test_the_environment_locates_profiles_and_warehouse_and_extra_variables_win(
    tmp_path: Path,
) -> None:
    base = {"PATH": "/usr/bin", "BAWH_DUCKDB_PATH": "/elsewhere.duckdb", "DBT_PROFILES_DIR": "/x"}
    other_project = tmp_path / "copy"
    invocation = DbtInvocation.in_work_dir(
        ["run"], tmp_path, project_dir=other_project, profiles_dir=PROJECT_DIR,
        env={"BAWH_DUCKDB_THREADS": "1"},
    )
    environment = invocation.environment(base)
    assert environment == {
        "PATH": "/usr/bin",
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "BAWH_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        "BAWH_DUCKDB_THREADS": "1",
    }
    # the profiles default to the project's own folder; extra variables are set last
    overriding = DbtInvocation(
        ["run"], project_dir=other_project, duckdb_path=tmp_path / "a.duckdb",
        env={"BAWH_DUCKDB_PATH": str(tmp_path / "b.duckdb")},
    ).environment(base)
    assert overriding["DBT_PROFILES_DIR"] == str(other_project)
    assert overriding["BAWH_DUCKDB_PATH"] == str(tmp_path / "b.duckdb")


def test_the_environment_defaults_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAWH_RUNNER_PROBE", "inherited")
    environment = DbtInvocation(["parse"], project_dir=PROJECT_DIR).environment()
    assert environment["BAWH_RUNNER_PROBE"] == "inherited"


def test_a_run_writes_its_artefacts_in_the_work_dir_and_returns_the_output(tmp_path: Path) -> None:
    result = dbt_runner.run(
        DbtInvocation.in_work_dir(
            ["ls", "--select", "fct_sessions", "--resource-type", "model", "--output", "name"],
            tmp_path, project_dir=PROJECT_DIR, variables={"raw_events_location": "nowhere/*.csv"},
        )
    )
    assert result.ok, result.output[-3000:]
    assert "fct_sessions" in result.output.split()
    assert (tmp_path / "target" / "manifest.json").exists()
    assert (tmp_path / "logs" / "dbt.log").exists()
    assert '"raw_events_location": "nowhere/*.csv"' in (tmp_path / "logs" / "dbt.log").read_text()
