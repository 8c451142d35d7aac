# Ripple's developer commands. The README's quick start is `make demo` and `make test`;
# both create .venv on first use. Use another interpreter with e.g. `make test PYTHON=python3.11`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install, so make reinstalls only when pyproject.toml changes.
STAMP := $(VENV)/.installed
PG_EXAMPLE := postgresql://postgres@127.0.0.1:5432/test

PYTEST_ARGS ?=
SERVE_ARGS ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help .venv demo test lint migrate serve bench clean lock

help: ## List the targets
	@grep -E '^[a-z.]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

.venv: $(STAMP) ## Create .venv and install Ripple with its dev tools (only when needed)

$(STAMP): pyproject.toml requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  version=$$($(PYTHON) --version 2>&1) || version="not found"; \
	  echo "error: Ripple needs Python 3.11 or newer; PYTHON=$(PYTHON) is $$version." >&2; \
	  echo "       Point make at a newer one, e.g.: make demo PYTHON=python3.11" >&2; \
	  exit 1; }
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
	  echo "error: $(VENV) was made with an older Python. Run 'make clean', then try again." >&2; \
	  exit 1; fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --no-deps -e .
	touch $(STAMP)

# The lock files pin every dependency, with hashes, for Python 3.11 on Linux: the image
# installs requirements.lock, and .venv requirements-dev.lock. Run after changing
# pyproject.toml's dependencies; uv resolves them afresh.
lock: .venv ## Re-pin requirements.lock and requirements-dev.lock from pyproject.toml
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 \
	  --no-header --output-file requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --no-header --output-file requirements-dev.lock

demo: .venv ## Run a scripted check-in round end to end in the terminal
	$(BIN)/ripple demo

# pytest exits 5 when it collects no tests; make passes that on as a failure.
test: .venv ## Run the whole test suite
	@echo "$(BIN)/pytest $(PYTEST_ARGS)"
	@status=0; $(BIN)/pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then \
	  echo "make test: pytest collected no tests; that counts as a failure." >&2; fi; \
	if [ -z "$${RIPPLE_TEST_POSTGRES_URL:-}" ]; then \
	  echo "make test: the PostgreSQL suite was skipped (RIPPLE_TEST_POSTGRES_URL is not set)."; \
	  echo "           To include it: RIPPLE_TEST_POSTGRES_URL=$(PG_EXAMPLE) make test"; fi; \
	exit $$status

lint: .venv ## Lint, check formatting, type-check and check the import layers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

migrate: .venv ## Bring the database (RIPPLE_DATABASE_URL) up to date
	$(BIN)/ripple migrate

# For trying Ripple on this machine: SQLite is allowed here unless RIPPLE_ALLOW_SQLITE says no.
serve: migrate ## Migrate, then run the web server (SERVE_ARGS="--host H --port P")
	RIPPLE_ALLOW_SQLITE=$${RIPPLE_ALLOW_SQLITE:-true} $(BIN)/ripple serve $(SERVE_ARGS)

bench: .venv ## Run the benchmarks in benchmarks/
	$(BIN)/python -m pytest benchmarks --benchmark-only $(PYTEST_ARGS)

clean: ## Remove .venv, caches and build output (keeps your databases)
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache \
	  .hypothesis .benchmarks .import_linter_cache
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
