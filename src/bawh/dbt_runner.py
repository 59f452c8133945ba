"""How the tooling starts dbt: one command line and environment, built in one place.

A ``DbtInvocation`` says everything one dbt command needs and everything it writes: the
project, the profiles, the target and log folders (so a benchmark, a live feed or a test
never shares ``target/`` with ``make run``), the vars (passed as JSON), the profile target,
and the DuckDB file (``BAWH_DUCKDB_PATH``, which profiles.yml reads) plus any other
environment variables. ``argv()`` and ``environment()`` are the command line and the
environment; ``run`` runs it to completion and returns its output, ``start`` starts it and
returns the process.

Every caller runs dbt as a child process (the ``dbt`` executable of this environment),
not in-process through dbt's programmatic ``dbtRunner``, because each one needs what only
a process of its own gives:

* the benchmark reports each dbt step's peak memory, the maximum resident set size of that
  one process (``os.wait4``), and dbt's memory must not mix with the benchmark's own;
* the live feed stops a running build on Ctrl-C: the dbt child gets the same SIGINT,
  stops as the dbt command line does, and is waited for before the feed prints its
  summary; in-process, the interrupt would land wherever dbt or the adapter happened to be;
* the tests run many dbt commands, each against its own warehouse file, engine and
  environment (profiles.yml reads ``env_var``s when dbt starts), and read their text
  output; dbt-core keeps global state per process and does not support several
  invocations in one process safely (docs: "Programmatic invocations"), and the Spark
  target would start its JVM inside the test process.

The only cost is dbt's start-up (a few seconds per command), small beside the builds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DbtInvocation", "DbtResult", "dbt_executable", "run", "start"]

WAREHOUSE_FILE = "warehouse.duckdb"  # the DuckDB file of an invocation in a work folder


def dbt_executable() -> str:
    """The ``dbt`` beside this Python (the virtual environment's), else ``dbt`` on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


@dataclass(frozen=True)
class DbtInvocation:
    """One dbt command on a project; None leaves a setting to dbt's (or the profile's) default."""

    command: Sequence[str]  # e.g. ("build", "--exclude", "raw_events")
    project_dir: Path
    profiles_dir: Path | None = None  # default: the project's folder
    target_path: Path | None = None  # manifest.json, run_results.json, compiled SQL
    log_path: Path | None = None  # dbt.log
    variables: Mapping[str, object] = field(default_factory=dict)  # --vars, as JSON
    target: str | None = None  # --target: an output of the profile (duckdb, postgres, spark)
    duckdb_path: Path | None = None  # BAWH_DUCKDB_PATH: the DuckDB file the profile opens
    env: Mapping[str, str] = field(default_factory=dict)  # more variables, set last (win)
    run_in: Path | None = None  # the folder dbt runs in; default: the project's

    @classmethod
    def in_work_dir(
        cls,
        command: Sequence[str],
        work_dir: Path,
        *,
        project_dir: Path,
        profiles_dir: Path | None = None,
        variables: Mapping[str, object] | None = None,
        env: Mapping[str, str] | None = None,
        target: str | None = None,
    ) -> DbtInvocation:
        """An invocation that writes only inside ``work_dir``: ``target/``, ``logs/`` and
        the DuckDB file ``warehouse.duckdb``."""
        return cls(
            command=tuple(command),
            project_dir=project_dir,
            profiles_dir=profiles_dir,
            target_path=work_dir / "target",
            log_path=work_dir / "logs",
            variables=dict(variables or {}),
            target=target,
            duckdb_path=work_dir / WAREHOUSE_FILE,
            env=dict(env or {}),
        )

    def argv(self) -> list[str]:
        """The command line: the dbt executable, the command, then the placement flags."""
        arguments = [dbt_executable(), *self.command, "--project-dir", str(self.project_dir)]
        if self.target_path is not None:
            arguments += ["--target-path", str(self.target_path)]
        if self.log_path is not None:
            arguments += ["--log-path", str(self.log_path)]
        if self.variables:
            arguments += ["--vars", json.dumps(dict(self.variables))]
        if self.target is not None:
            arguments += ["--target", self.target]
        return arguments

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) with the profiles folder, the
        DuckDB file and then ``env`` set."""
        environment = dict(os.environ if base is None else base)
        environment["DBT_PROFILES_DIR"] = str(self.profiles_dir or self.project_dir)
        if self.duckdb_path is not None:
            environment["BAWH_DUCKDB_PATH"] = str(self.duckdb_path)
        environment.update(self.env)
        return environment

    @property
    def cwd(self) -> Path:
        """The folder dbt runs in, where relative paths (in vars, say) resolve: ``run_in``,
        by default the project folder, as when a user runs dbt there."""
        return self.run_in or self.project_dir


@dataclass(frozen=True)
class DbtResult:
    """The outcome of a finished dbt command."""

    invocation: DbtInvocation
    returncode: int
    output: str  # stdout, then stderr

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run(invocation: DbtInvocation) -> DbtResult:
    """Run the command to completion; its output is captured as text (a failure is a
    returncode, not an exception)."""
    completed = subprocess.run(
        invocation.argv(),
        cwd=invocation.cwd,
        env=invocation.environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    return DbtResult(invocation, completed.returncode, completed.stdout + completed.stderr)


def start(invocation: DbtInvocation) -> subprocess.Popen[bytes]:
    """Start the command and return at once: stdout and stderr in one pipe. The child is in
    this process's group, so a Ctrl-C in the terminal reaches it too."""
    return subprocess.Popen(
        invocation.argv(),
        cwd=invocation.cwd,
        env=invocation.environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
