# Luoshi: `make run` sets up and serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck unit messages demo clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p var
	LUOSHI_DEBUG=1 $(BIN)/luoshi migrate --noinput
	LUOSHI_DEBUG=1 $(BIN)/luoshi demo
	@echo "Serving http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	LUOSHI_DEBUG=1 $(BIN)/luoshi runserver 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	LUOSHI_DEBUG=1 $(BIN)/mypy luoshi config

unit: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# The whole suite: lint, types, unit + API + browser tests on SQLite; again on PostgreSQL when
# DATABASE_URL is set.
test: lint typecheck
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$DATABASE_URL" ]; then echo "== PostgreSQL: $$DATABASE_URL"; $(BIN)/pytest $(PYTEST_ARGS); fi

messages: $(STAMP)
	$(BIN)/python scripts/i18n.py extract
	$(BIN)/python scripts/i18n.py derive
	$(BIN)/python scripts/i18n.py compile

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
