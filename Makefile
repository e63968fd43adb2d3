# The two commands of the README: `make demo` and `make test`. Each does all of its own setup
# (virtual environment, Neo4j from Maven Central) and is safe to run again.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SHARED := $(abspath ../shared/data)

.PHONY: venv devnet demo test lint typecheck unit db-setup bench-tools clean help

help:
	@echo "make demo   - set up and start Neo4j, load a sample, serve the GraphQL API"
	@echo "make test   - lint, type-check and run the tests against a fresh Neo4j instance"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,interop]'
	touch $(STAMP)

venv: $(STAMP)

# The tests' local Ethereum node (tests/ethnode.py): ganache and solcjs, pinned by
# devnet/package-lock.json. Without npm, the tests that need the node skip and say why. No
# install scripts: they only build optional native speed-ups that ganache does without.
DEVNET_STAMP := devnet/node_modules/.installed-stamp

$(DEVNET_STAMP): devnet/package.json devnet/package-lock.json
	@if command -v npm >/dev/null; then \
		cd devnet && npm ci --no-audit --no-fund --ignore-scripts && touch node_modules/.installed-stamp; \
	else echo "npm not found: the tests that need a local Ethereum node will skip"; fi

devnet: $(DEVNET_STAMP)

db-setup: venv
	$(BIN)/chaintrail db setup

demo: db-setup
	$(BIN)/chaintrail db start
	bash scripts/demo-load.sh "$(SHARED)"

lint: venv
	$(BIN)/ruff check .

typecheck: venv
	$(BIN)/mypy

test: db-setup devnet lint typecheck
	$(BIN)/pytest

# What the benchmarks use beyond the virtual environment: wrk (bench/api.py's load generator),
# from Debian's packages. Not needed by `make demo` or `make test`.
bench-tools:
	@command -v wrk >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk; }

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
	rm -rf devnet/node_modules devnet/build
