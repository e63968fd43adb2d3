# The two commands of the README: `make demo` and `make test`. Each does all of its own setup
# (virtual environment, Neo4j from Maven Central) and is safe to run again.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SHARED := $(abspath ../shared/data)

.PHONY: venv demo test lint typecheck unit db-setup clean help

help:
	@echo "make demo   - set up and start Neo4j, load a sample, show how to query it"
	@echo "make test   - lint, type-check and run the tests against a fresh Neo4j instance"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,interop]'
	touch $(STAMP)

venv: $(STAMP)

db-setup: venv
	$(BIN)/chaintrail db setup

demo: db-setup
	$(BIN)/chaintrail db start
	bash scripts/demo-load.sh "$(SHARED)"

lint: venv
	$(BIN)/ruff check .

typecheck: venv
	$(BIN)/mypy

test: db-setup lint typecheck
	$(BIN)/pytest

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
