# careaudit: every set-up step lives here, so a fresh clone needs nothing but Python 3.11.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

# No telemetry from dbt, Dagster or anything else that honours the convention.
export DO_NOT_TRACK := 1
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

# Browser tests drive Debian's Chromium through its ChromeDriver (never a downloaded browser).
BROWSER := /usr/bin/chromium /usr/bin/chromedriver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install browser manifest run test check lint ui bench clean

help:
	@echo "make run   set up .venv and run the refresh on the bundled sample"
	@echo "make test  lint (sqlfluff, ruff) and run the whole test suite, on both cores"
	@echo "make check lint and the quick tier: every test that does not run a whole refresh"
	@echo "make ui    start the Dagster UI on http://127.0.0.1:3000"
	@echo "make bench scale benchmark of sizes S and M (SIZE=L: 2 million audits; SIZE=\"S M L\": all, with the slope)"

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(INSTALLED)

$(BROWSER):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver

browser: $(BROWSER)

run: install
	$(BIN)/careaudit refresh

lint: install
	$(BIN)/ruff check orchestration sample tests benchmarks
	$(BIN)/ruff format --check orchestration sample tests benchmarks
	cd dbt_project && ../$(BIN)/sqlfluff lint models --processes 2

# dbt parses the project once, before parallel test workers would race to write its manifest.
manifest: install
	$(BIN)/python -c "import orchestration.defs.transform"

# Test modules are spread over both cores, each module whole on one (module fixtures once).
test: lint browser manifest
	$(BIN)/pytest -n 2 --dist loadfile --durations=20

check: lint manifest
	$(BIN)/pytest -n 2 --dist loadfile -m "not slow and not browser"

ui: install
	$(BIN)/careaudit ui

# Not a test: the pipeline against the hand-written floor (benchmarks/scale.py says how).
SIZE ?= S M
bench: install
	$(BIN)/python benchmarks/scale.py --sizes $(SIZE)

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache test-artifacts
