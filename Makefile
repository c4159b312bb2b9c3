# Hub: `make run` sets everything up and serves; `make test` runs the whole suite.
SHELL := /bin/bash
# The first Python 3.11+ that actually runs (pyenv shims may exist for versions that are not active).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app hub
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2

.PHONY: run serve test test-sqlite test-postgres setup db demo bench clean

run: setup db demo serve ## set up everything, load the demo the first time, print logins, serve

$(VENV)/.runtime: requirements.txt
	@test -n "$(PYTHON)" || { echo "Hub needs Python 3.11 or newer: install it, or run make PYTHON=/path/to/python3.11"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.runtime

db: setup ## apply migrations
	$(FLASK) db upgrade

demo: db ## load the demo library (idempotent) and print the demo logins
	$(FLASK) seed-demo

# The Procfile's two processes, gunicorn and the background worker, under honcho: Ctrl+C stops both.
# Plain HTTP on loopback: browsers would drop Secure cookies there, so this run turns the flag off.
# No access log: feed and share URLs carry their secret token in the path.
# Behind HTTPS, leave HUB_SESSION_COOKIE_SECURE unset (secure by default).
serve: setup
	@echo "Hub is at http://$(HOST):$(PORT)  (Ctrl+C stops it and its worker)"
	HUB_SESSION_COOKIE_SECURE=false HUB_REMEMBER_COOKIE_SECURE=false HOST=$(HOST) WEB_CONCURRENCY=$(WORKERS) \
	  PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --no-colour -f Procfile start --port $(PORT)

# Two workers by default (the machines have two cores); PYTEST_ARGS="-n 0" runs in one process.
PYTEST_ARGS ?= -n 2
test: $(VENV)/.dev ## lint, the layers, then the whole suite on SQLite, and again on PostgreSQL when HUB_TEST_DATABASE_URL is set
	$(BIN)/ruff check hub tests bench
	$(BIN)/lint-imports --no-cache
	env -u HUB_TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$HUB_TEST_DATABASE_URL" ]; then \
	  echo "--- again on PostgreSQL ($$HUB_TEST_DATABASE_URL)"; \
	  $(BIN)/pytest $(PYTEST_ARGS); \
	fi

bench: $(VENV)/.dev ## the benchmarks under bench/
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean: ## remove the virtual env (the instance folder with your data stays)
	rm -rf $(VENV) .pytest_cache
