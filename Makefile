# JAMS — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
# Every package at the version and hash tested: `make lock` writes it from pyproject.toml.
LOCK := requirements.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | md5sum | cut -c1-12)
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install lock audit run test test-fast lint typecheck schemas services-up services-down \
        services-status bench-ats-decide bench-encode bench-bus bench-bot bench-discovery bench-workflow bench-e2e chaos \
        bench-gateway bench-capacity \
        k8s-check clean format-matrix

help:  ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)  ## Create the virtualenv and install JAMS with its dev tools from requirements.lock (cached)

lock: install  ## Re-resolve requirements.lock after a change to pyproject.toml (pins kept where they still fit; UPGRADE=1 takes the newest)
	$(VENV)/bin/uv pip compile --quiet pyproject.toml --extra dev --extra ml --extra onnx --universal \
	  --python-version 3.11 --generate-hashes --custom-compile-command "make lock" \
	  $(if $(UPGRADE),--upgrade) -o $(LOCK)

audit: install  ## pip-audit requirements.lock against the advisory databases (needs the internet)
	$(VENV)/bin/pip-audit --strict --disable-pip --require-hashes -r $(LOCK)

run: install  ## Start the whole system in one process on the embedded default, applying on the sandbox portal
	$(VENV)/bin/jams run --sandbox --portal-port 8700

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

test: services-up lint typecheck k8s-check  ## Everything: lint, types, unit, contract, integration, crash and end-to-end tests on real servers
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: install  ## Only the tests that need no server (seconds)
	$(VENV)/bin/pytest -m "not integration" $(PYTEST_ARGS)

eval-ats: install  ## ATS engine: the blind set's dev and test halves beside the regression set, and skill extraction (FILE=pairs.jsonl for one file, BACKEND=onnx-int8 for another model runtime)
	$(PY) -m services.ats_engine.tools.evaluate $(FILE) $(if $(BACKEND),--backend $(BACKEND))
	$(if $(FILE),,$(PY) -m services.ats_engine.tools.evaluate_skills)

bench-ats: services-up  ## ATS: embedding docs/s (ours vs raw encode), one job vs 100,000 candidate vectors (pgvector vs numpy)
	$(PY) -m bench.bench_ats

bench-encode: install  ## ATS model on PyTorch, ONNX Runtime and int8: encode docs/s against PyTorch's, and the blind set's AUROC with each
	$(PY) -m bench.bench_encode

bench-ats-decide: services-up  ## ATS: one job against 200 candidates, batch vs pair by pair; stage one vs the full scorer on one core, and their agreement
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m bench.bench_ats_decide

bench-bus: services-up  ## Bus throughput and latency: ours vs raw aiokafka, and the embedded log
	$(PY) -m bench.bench_bus

bench-discovery: services-up  ## Job service: batched vs row-by-row ingest of 100,000 raw jobs, dedup precision and recall
	$(PY) -m bench.bench_discovery

bench-workflow: services-up  ## Workflow: 1,000 reviewer sockets, assign p99 (decision to socket), timer lateness of 10,000 deadlines, lost and double assignments
	$(PY) -m bench.bench_workflow

bench-bot: services-up  ## Application bot: hosted-form applications per minute, parallel contexts vs one
	$(PY) -m bench.bench_bot

bench-gateway: services-up  ## Gateway API: authenticated paginated list rps and p99, one gateway process vs a bare FastAPI endpoint; the recruiting ranked list beside it
	$(PY) -m bench.bench_gateway

BENCH_E2E_ARGS ?=
BENCH_CAPACITY_ARGS ?=
bench-e2e: services-up  ## Whole system, one process per service: 1,000 jobs (30% duplicates), 200 candidates, bots, reviewers (BENCH_E2E_ARGS="--jobs 100 --candidates 20", or --paced-at-half)
	$(PY) -m bench.bench_e2e $(BENCH_E2E_ARGS)

bench-capacity: services-up  ## Whole system at 1x, 2x and 4x a small burst (60 posts, 20 candidates), each beside the capacity model's forecast (docs/capacity.md)
	$(PY) -m bench.bench_capacity $(BENCH_CAPACITY_ARGS)

chaos: services-up  ## bench-e2e while each service is SIGKILLed in turn, Kafka and PostgreSQL (private instances) restarted once
	$(PY) -m bench.chaos $(BENCH_E2E_ARGS)

FORMAT_MATRIX := tests/fixtures/format_matrix
format-matrix: install  ## Re-render the format-matrix resumes (npm themes into .cache, Chromium); tests need only the committed files
	$(PY) -m infra.devservices up chromium
	mkdir -p .cache/format-matrix
	cp $(FORMAT_MATRIX)/package.json $(FORMAT_MATRIX)/package-lock.json .cache/format-matrix/
	cd .cache/format-matrix && npm ci --no-audit --no-fund
	$(PY) $(FORMAT_MATRIX)/render.py

k8s-check: install  ## Validate every kustomize overlay (kubeconform), docker-compose.yml (Compose Specification) and the Dockerfile
	$(PY) deploy/check.py

clean:  ## Remove local state of `make run` (.jams) and the dev servers' data (.dev)
	-$(PY) -m infra.devservices down
	rm -rf .jams .dev
