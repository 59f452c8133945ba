# Quick start: `make run` (build the demo warehouse) and `make test` (the whole suite).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export BAWH_DUCKDB_PATH ?= $(CURDIR)/behavioral_warehouse.duckdb
export SPARK_LOCAL_IP := 127.0.0.1
PG_BIN := /usr/lib/postgresql/15/bin
# The test suite builds into its own file so it never touches the demo warehouse.
TEST_DUCKDB_PATH := $(CURDIR)/target/test_warehouse.duckdb
# Where `make run` publishes the marts for readers (BI tools, the dashboard): see bawh.publish.
PUBLICATION_DIR ?= $(CURDIR)/publication
DASHBOARD_PORT ?= 8501

.PHONY: help run test test-fast lint typecheck build-test integration-test semantic docs pytest engines-deps demo-data publish dashboard browser-deps bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# The virtual environment gets the core package (dbt on DuckDB and the generator), and each
# target adds the pyproject extras it needs: one stamp file per set, reinstalled when the pins
# change. Direct pins are in pyproject.toml, every transitive pin in constraints.txt.
INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt
EXTRAS_dashboard := dashboard
EXTRAS_bench := bench,spark
EXTRAS_semantic := semantic
# What `make test-fast` (lint, typecheck, the fast pytest tier) needs: mypy reads every module.
EXTRAS_dev := test,semantic,dashboard,bench
# What `make test` needs: the above and the Postgres and Spark adapters.
EXTRAS_all := test,semantic,dashboard,bench,postgres,spark,forecast

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-core: pyproject.toml constraints.txt | $(BIN)/python
	$(INSTALL) -e .
	touch $@

$(VENV)/.installed-%: $(VENV)/.installed-core
	$(INSTALL) -e ".[$(EXTRAS_$*)]"
	touch $@

# The larger sets hold the smaller ones: their stamps are touched too, so no target reinstalls.
$(VENV)/.installed-dev: $(VENV)/.installed-core
	$(INSTALL) -e ".[$(EXTRAS_dev)]"
	touch $(VENV)/.installed-dashboard $(VENV)/.installed-bench $(VENV)/.installed-semantic $@

$(VENV)/.installed-all: $(VENV)/.installed-core
	$(INSTALL) -e ".[$(EXTRAS_all)]"
	touch $(VENV)/.installed-dashboard $(VENV)/.installed-bench $(VENV)/.installed-semantic \
		$(VENV)/.installed-dev $@

# The main job builds every model and runs its data tests; the unit tests check the SQL itself,
# so they run in `make test` and `make test-fast` (build-test), as dbt recommends for production.
DBT_BUILD := $(BIN)/dbt build --exclude-resource-type unit_test

run: $(VENV)/.installed-core  ## Install the core, load the demo events, build and test every model, print a summary
	$(DBT_BUILD)
	$(BIN)/bawh publish --warehouse "$(BAWH_DUCKDB_PATH)" --publication "$(PUBLICATION_DIR)"
	$(BIN)/bawh summary --warehouse "$(BAWH_DUCKDB_PATH)"

# The pytest tiers: markers registered in pyproject.toml. The fast tier leaves out the tests
# marked slow (several builds of generated data, the benchmark, the live feed), engines
# (Postgres and Spark servers) and browser (headless Chromium).
FAST_TESTS := not slow and not engines and not browser
# pytest in parallel (pytest-xdist): most tests wait on one single-threaded dbt process, so a
# worker per core (at most 4) halves the wall time on 2 cores; whole modules go to one worker
# (--dist loadfile), so a module's builds are shared as when run alone.
PYTEST_PARALLEL := --numprocesses auto --maxprocesses 4 --dist loadfile

# The checks before pytest run two at a time (make's jobs): each is one process on one core, and
# only lint and semantic wait for build-test's warehouse; pytest, which keeps both cores busy, after.
CHECKS := build-test integration-test semantic lint typecheck
test: $(VENV)/.installed-all  ## The whole suite (what CI runs): dbt build with data and unit tests, the project as a package, MetricFlow, sqlfluff, ruff, mypy, every pytest test
	$(MAKE) --jobs=2 --output-sync=target $(CHECKS)
	$(MAKE) pytest

test-fast: $(VENV)/.installed-dev  ## What a developer runs while working: as `make test`, without the slow, engine and browser tests
	$(MAKE) --jobs=2 --output-sync=target $(filter-out integration-test,$(CHECKS))
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "$(FAST_TESTS)"

# The dbt templater compiles against the test warehouse (staging probes the raw source's
# columns), so lint runs after build-test; a file dbt could not compile fails the lint.
lint: $(VENV)/.installed-dev build-test  ## sqlfluff lint of models, analyses and singular tests
	BAWH_DUCKDB_PATH="$(TEST_DUCKDB_PATH)" $(BIN)/sqlfluff lint models analyses tests 2>&1 \
		| tee target/sqlfluff.log
	! grep -q "Skipped file" target/sqlfluff.log

build-test: $(VENV)/.installed-core  ## dbt build of the demo data into a throwaway warehouse
	mkdir -p target
	rm -f "$(TEST_DUCKDB_PATH)"
	BAWH_DUCKDB_PATH="$(TEST_DUCKDB_PATH)" $(BIN)/dbt build

# The project as a package (docs/package.md): integration_tests/ is a team's dbt project that
# installs this one from ../ (dbt deps, offline) and builds it on its own sample events with a var
# override and its own engaged-session rule; its tests compare fct_sessions with sessions worked
# out by hand. The package's unit tests are left out: they assert its default rules. The sample
# events are loaded first, as a team's events are there before dbt runs: the package reads them
# through its source, which dbt does not order after a seed of this project.
INTEGRATION_DUCKDB_PATH := $(CURDIR)/target/integration_tests.duckdb
INTEGRATION_DBT_ARGS := --target-path "$(CURDIR)/target/integration_tests"
integration-test: export DBT_PROJECT_DIR := $(CURDIR)/integration_tests
integration-test: export DBT_PROFILES_DIR := $(CURDIR)/integration_tests
integration-test: export BAWH_DUCKDB_PATH := $(INTEGRATION_DUCKDB_PATH)
integration-test: $(VENV)/.installed-core  ## dbt build of integration_tests/, a dbt project that installs this one as a package
	mkdir -p target
	rm -f "$(INTEGRATION_DUCKDB_PATH)"
	$(BIN)/dbt deps
	$(BIN)/dbt seed --select sample_raw_events $(INTEGRATION_DBT_ARGS)
	$(BIN)/dbt build --exclude sample_raw_events --exclude-resource-type unit_test $(INTEGRATION_DBT_ARGS)
	# a package told of no raw events fails, with a message naming the vars to set
	! $(BIN)/dbt parse --vars '{raw_events_schema: null, raw_events_identifier: raw_events}' \
		$(INTEGRATION_DBT_ARGS) > target/integration_tests_without_events.log 2>&1
	grep -q "no raw events configured" target/integration_tests_without_events.log

# MetricFlow parses the semantic models and metrics (models/semantic/) from the manifest
# build-test wrote (target/semantic_manifest.json) and queries every measure, dimension and
# metric against the test warehouse; any error fails.
semantic: $(VENV)/.installed-semantic build-test  ## mf validate-configs of the semantic layer against the test warehouse
	BAWH_DUCKDB_PATH="$(TEST_DUCKDB_PATH)" $(BIN)/mf validate-configs

# The catalog (column types) is read from the demo warehouse, built first when missing.
docs: $(VENV)/.installed-core  ## dbt docs site (lineage, models, columns, metrics, docs/ pages) into target/
	test -f "$(BAWH_DUCKDB_PATH)" || $(BIN)/dbt build
	$(BIN)/dbt docs generate --static
	@echo "dbt docs: $(CURDIR)/target/static_index.html (one file, open it in a browser);"
	@echo "  or $(BIN)/dbt docs serve to browse $(CURDIR)/target/index.html"

typecheck: $(VENV)/.installed-dev  ## ruff and mypy --strict on the Python tooling and its tests
	$(BIN)/ruff check
	$(BIN)/mypy

# Debian's PostgreSQL 15 server and Java 17 (for pyspark), installed only when missing. Installing
# needs root; without it the target names the packages to install and stops.
apt_install = $(if $(filter 0,$(shell id -u)),apt-get update -q && apt-get install -y -q $(1),\
	echo "make: this target needs the Debian packages $(1); as root: apt-get install $(1)" >&2; exit 1)
engines-deps:  ## Server-side tools of the Postgres and Spark tests (Debian packages)
	@test -x $(PG_BIN)/postgres || { $(call apt_install,postgresql-15); }
	@command -v java >/dev/null || { $(call apt_install,openjdk-17-jre-headless); }

# Debian's Chromium and its chromedriver for the dashboard's browser tests (Selenium is given
# /usr/bin/chromedriver, so nothing else is downloaded), installed only when missing.
browser-deps:  ## Headless Chromium of the dashboard's browser tests (Debian packages)
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || { $(call apt_install,chromium chromium-driver); }

pytest: $(VENV)/.installed-all engines-deps browser-deps  ## Every pytest test: generator, truth, conventions, three engines, browser
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

demo-data: $(VENV)/.installed-core  ## Regenerate the committed demo seed from the fixed seed
	$(BIN)/bawh demo-data --output seeds/demo/raw_events.csv

# A failed dbt build stops here (make stops at the first failing command), and `bawh publish`
# checks the build again (target/run_results.json, the reconciliation, the quarantine share):
# the last good publication stays in place.
publish: $(VENV)/.installed-core  ## Build, then publish marts and reports to publication/current
	$(DBT_BUILD)
	$(BIN)/bawh publish --warehouse "$(BAWH_DUCKDB_PATH)" --publication "$(PUBLICATION_DIR)"

dashboard: $(VENV)/.installed-dashboard  ## Serve the dashboard over the current publication (builds one if none)
	@test -e "$(PUBLICATION_DIR)/current/catalog.duckdb" || $(MAKE) publish
	BAWH_PUBLICATION="$(PUBLICATION_DIR)" $(BIN)/streamlit run src/bawh/dashboard/app.py \
		--server.headless true --server.address 127.0.0.1 --server.port $(DASHBOARD_PORT) \
		--browser.gatherUsageStats false --client.toolbarMode viewer

# Benchmark size: smoke (100k events, what CI runs), 1m, 10m (default) or 100m (DuckDB memory
# limit 8GB, spilling to disk). Work files under target/bench/<size>/, JSON in target/bench/.
SIZE ?= 10m
bench: $(VENV)/.installed-bench  ## Time dbt run/build/incremental vs DuckDB, polars, pandas: make bench SIZE=smoke|1m|10m|100m [SPARK=1]
	$(BIN)/bawh bench --size $(SIZE) $(if $(SPARK),--spark)

# Publications are read-only (folders 0555, files 0444): their folders are made writable first.
clean:  ## Remove the virtual environment, dbt artefacts and warehouse files
	test ! -d publication || chmod -R u+w publication
	rm -rf $(VENV) target logs dbt_packages behavioral_warehouse.duckdb* publication
