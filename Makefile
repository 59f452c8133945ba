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

.PHONY: help run test lint typecheck build-test semantic docs pytest engines-deps demo-data publish dashboard browser-deps bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

run: $(BIN)/.installed  ## Install, load the demo events, build and test every model, print a summary
	$(BIN)/dbt build
	$(BIN)/bawh publish --warehouse "$(BAWH_DUCKDB_PATH)" --publication "$(PUBLICATION_DIR)"
	$(BIN)/bawh summary --warehouse "$(BAWH_DUCKDB_PATH)"

test: build-test semantic lint typecheck pytest  ## The whole suite: dbt build (data + unit tests), sqlfluff, ruff, mypy, pytest

# The dbt templater compiles against the test warehouse (staging probes the raw source's
# columns), so lint runs after build-test; a file dbt could not compile fails the lint.
lint: build-test  ## sqlfluff lint of models, analyses and singular tests
	BAWH_DUCKDB_PATH="$(TEST_DUCKDB_PATH)" $(BIN)/sqlfluff lint models analyses tests 2>&1 \
		| tee target/sqlfluff.log
	! grep -q "Skipped file" target/sqlfluff.log

build-test: $(BIN)/.installed  ## dbt build of the demo data into a throwaway warehouse
	mkdir -p target
	rm -f "$(TEST_DUCKDB_PATH)"
	BAWH_DUCKDB_PATH="$(TEST_DUCKDB_PATH)" $(BIN)/dbt build

# MetricFlow parses the semantic models and metrics (models/semantic/) from the manifest
# build-test wrote (target/semantic_manifest.json) and queries every measure, dimension and
# metric against the test warehouse; any error fails.
semantic: build-test  ## mf validate-configs of the semantic layer against the test warehouse
	BAWH_DUCKDB_PATH="$(TEST_DUCKDB_PATH)" $(BIN)/mf validate-configs

# The catalog (column types) is read from the demo warehouse, built first when missing.
docs: $(BIN)/.installed  ## dbt docs site (lineage, models, columns, metrics) into target/
	test -f "$(BAWH_DUCKDB_PATH)" || $(BIN)/dbt build
	$(BIN)/dbt docs generate --static
	@echo "dbt docs: $(CURDIR)/target/static_index.html (one file, open it in a browser);"
	@echo "  or $(BIN)/dbt docs serve to browse $(CURDIR)/target/index.html"

typecheck: $(BIN)/.installed  ## ruff and mypy --strict on the Python tooling and its tests
	$(BIN)/ruff check
	$(BIN)/mypy

# Debian's PostgreSQL 15 server and Java 17 (for pyspark), installed only when missing.
engines-deps:  ## Server-side tools of the Postgres and Spark tests
	@test -x $(PG_BIN)/postgres || { apt-get update -q && apt-get install -y -q postgresql-15; }
	@command -v java >/dev/null || { apt-get update -q && apt-get install -y -q openjdk-17-jre-headless; }

# Debian's Chromium and its chromedriver for the dashboard's browser tests (Selenium is given
# /usr/bin/chromedriver, so nothing else is downloaded), installed only when missing.
browser-deps:  ## Headless Chromium of the dashboard's browser tests
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || { apt-get update -q \
		&& apt-get install -y -q chromium chromium-driver; }

pytest: $(BIN)/.installed engines-deps browser-deps  ## Python tests: generator, truth, conventions, three engines
	$(BIN)/python -m pytest

demo-data: $(BIN)/.installed  ## Regenerate the committed demo seed from the fixed seed
	$(BIN)/bawh demo-data --output seeds/demo/raw_events.csv

# A failed dbt build stops here (make stops at the first failing command): the last good
# publication stays in place.
publish: $(BIN)/.installed  ## Build, then publish marts and reports to publication/current
	$(BIN)/dbt build
	$(BIN)/bawh publish --warehouse "$(BAWH_DUCKDB_PATH)" --publication "$(PUBLICATION_DIR)"

dashboard: $(BIN)/.installed  ## Serve the dashboard over the current publication (builds one if none)
	@test -e "$(PUBLICATION_DIR)/current/catalog.duckdb" || $(MAKE) publish
	BAWH_PUBLICATION="$(PUBLICATION_DIR)" $(BIN)/streamlit run src/bawh/dashboard/app.py \
		--server.headless true --server.address 127.0.0.1 --server.port $(DASHBOARD_PORT) \
		--browser.gatherUsageStats false --client.toolbarMode viewer

# Benchmark size: smoke (100k events, what CI runs), 1m, 10m (default) or 100m (DuckDB memory
# limit 8GB, spilling to disk). Work files under target/bench/<size>/, JSON in target/bench/.
SIZE ?= 10m
bench: $(BIN)/.installed  ## Time dbt run/build/incremental vs DuckDB, polars, pandas: make bench SIZE=smoke|1m|10m|100m
	$(BIN)/bawh bench --size $(SIZE)

clean:  ## Remove the virtual environment, dbt artefacts and warehouse files
	rm -rf $(VENV) target logs dbt_packages behavioral_warehouse.duckdb* publication
