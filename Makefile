# JAMS — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell md5sum pyproject.toml | cut -c1-12)
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint typecheck schemas services-up services-down \
        services-status bench-bus clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)  ## Create the virtualenv and install JAMS with its dev tools (cached)

run: install  ## Start the whole system in one process on the embedded default
	$(VENV)/bin/jams run

services-up: install  ## Install (cached) and start Kafka, FerretDB, PostgreSQL, Valkey; install Chromium
	$(PY) -m infra.devservices up

services-down:  ## Stop the dev servers
	$(PY) -m infra.devservices down

services-status:  ## Show which dev servers run
	$(PY) -m infra.devservices status

lint: install  ## ruff
	$(VENV)/bin/ruff check .

typecheck: install  ## mypy --strict
	$(VENV)/bin/mypy

schemas: install  ## Regenerate the event JSON Schemas and the AsyncAPI document
	$(PY) -m schemas.events.generate

test: services-up lint typecheck  ## Everything: lint, types, unit, contract, integration, crash and end-to-end tests on real servers
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: install  ## Only the tests that need no server (seconds)
	$(VENV)/bin/pytest -m "not integration" $(PYTEST_ARGS)

bench-bus: services-up  ## Bus throughput and latency: ours vs raw aiokafka, and the embedded log
	$(PY) -m bench.bench_bus

clean:  ## Remove local state of `make run` (.jams) and the dev servers' data (.dev)
	-$(PY) -m infra.devservices down
	rm -rf .jams .dev
