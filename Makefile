# Two commands for a new user: `make run` (the pipeline on the embedded demo company) and
# `make test`. Everything else is for people working on salesboard.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export SALESBOARD_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(SALESBOARD_DATA_DIR)/dagster_home
export GX_ANALYTICS_ENABLED := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install manifest browser run dev docs test lint bench bench-large lock clean reliability spark-parity

install: $(STAMP)

# The lock file pins every package CI tested; pyproject.toml holds the direct pins.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -r requirements.lock -e '.[spark,bi]'
	touch $@

manifest: install  ## dbt parse: the manifest the Dagster code location loads
	$(BIN)/salesboard prepare

browser:  ## headless Chromium, for the test that renders the board (Debian package)
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null)

run: install  ## start the demo APIs and run the main job on the demo company
	$(BIN)/salesboard run

dev: install  ## Dagster UI on http://127.0.0.1:3000 with the demo APIs running
	$(BIN)/salesboard dev

docs: manifest  ## the dbt docs site on http://127.0.0.1:8080
	$(BIN)/salesboard docs

test: manifest browser
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models --processes 2

BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): $(STAMP)  ## the `bench` extra (dlt, the throughput peer), pinned in the lock
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -r requirements.lock -e '.[bench,spark,bi]'
	touch $@

bench: $(BENCH_STAMP)  ## 1x and 10x: daily run, 365-day backfill, flatness, throughput -> docs/performance.md
	$(BIN)/python -m bench run

bench-large: $(BENCH_STAMP)  ## 100x: daily run and throughput (a 100x world takes minutes to build)
	$(BIN)/python -m bench large

RELIABILITY_RESULTS := $(SALESBOARD_DATA_DIR)/reliability
reliability: manifest  ## faults, crashes, bad data, secrets (all of tests/reliability) -> docs/reliability.md
	rm -rf $(RELIABILITY_RESULTS)
	SALESBOARD_RELIABILITY_RESULTS=$(RELIABILITY_RESULTS) $(BIN)/pytest -m reliability tests/reliability; \
	status=$$?; SALESBOARD_RELIABILITY_RESULTS=$(RELIABILITY_RESULTS) $(BIN)/python -m tests.reliability.report; exit $$status

spark-parity: manifest  ## the data and unit tests and a window rerun on Spark, 18-month world (~17 min)
	$(BIN)/pytest -n 0 -m spark_full tests/dbt_project/test_revenue_marts.py

lock:  ## re-resolve requirements.lock after changing pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --extra spark --extra bi --python-version 3.11 --quiet -o requirements.lock

clean:
	rm -rf $(VENV) data
