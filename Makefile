# Two commands: `make run` serves a seeded demo assembly, `make test` runs every check.
# `make run` serves with uvicorn as production does, without an access log: it would keep every
# phone's address, and Asamblea stores none.
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

# A LAN-wide server answers to whatever address the room's phones use.
ifeq ($(HOST),0.0.0.0)
export ALLOWED_HOSTS ?= *
endif

.PHONY: setup run test lint typecheck e2e bench bench-tally messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Asamblea needs Python 3.12 or newer (Django 6); found " + sys.version.split()[0] + ". Set PYTHON=python3.13 or install a newer Python.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput -v0

run: setup
	$(BIN)/python manage.py demo --base-url http://$(if $(filter 0.0.0.0,$(HOST)),$$(hostname -I 2>/dev/null | cut -d' ' -f1 || echo 127.0.0.1),$(HOST)):$(PORT)
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --lifespan off --ws-per-message-deflate false --no-access-log

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy (settings in pyproject.toml; strict for live/, actions/ and permissions.py). Its cache in
# .mypy_cache makes a run after a small change a few seconds; a cold run takes about half a minute.
typecheck: $(VENV)/.installed
	$(BIN)/mypy

test: setup lint typecheck
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n auto
	@$(MAKE) --no-print-directory e2e

# axe-core (package.json, pinned) is the only npm piece, for the accessibility checks; without
# npm those tests skip loudly rather than pass. They run one at a time: a browser test is mostly
# Chromium's work, and two at once on two cores gained a sixth and made tight waits flaky.
# E2E_MARK picks a part, e.g. E2E_MARK="e2e and not layout" (CI's PostgreSQL pass).
E2E_MARK ?= e2e
e2e: $(VENV)/.installed
	@if [ -x "$(CHROMIUM)" ]; then \
		if [ ! -d node_modules/axe-core ] && command -v npm >/dev/null; then \
			npm ci --silent --no-audit --no-fund || exit 1; \
		fi; \
		if [ ! -d node_modules/axe-core ]; then \
			echo "!!! No npm, so no axe-core: the accessibility checks will be SKIPPED."; \
		fi; \
		$(BIN)/pytest -m "$(E2E_MARK)" tests/e2e -p no:randomly -rs; \
	else \
		echo ""; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!!! SKIPPED: browser tests. No Chromium at $(CHROMIUM)."; \
		echo "!!! Install it (Debian: apt-get install chromium) or set CHROMIUM=/path."; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi

# A benchmark, not a test (never run by `make test`): the real app under uvicorn with 100 to
# 2,000 phones on `make run`, then PostgreSQL + Redis with 1 and 2 workers, beside a bare
# websockets server; prints the figures and writes docs/performance.md. Wants a quiet machine
# (about half an hour). A part: make bench BENCH_ARGS="--phones 100 --configs run,pg1"
bench: setup
	$(BIN)/python benchmarks/room_bench.py $(BENCH_ARGS)
	@$(MAKE) --no-print-directory bench-tally

# The tally engine alone: Minneapolis 2013 (reference data), then a generated 1,000,000-ballot
# file in /tmp (deterministic; written once), timed with its peak memory.
bench-tally: $(VENV)/.installed
	$(BIN)/python benchmarks/tally_bench.py
	$(BIN)/python benchmarks/tally_scale.py

# Refresh the catalogues after changing user-facing strings, then translate what is new.
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l es --no-obsolete --no-wrap --add-location file -i '.venv/*' -i 'tests/*'
	$(BIN)/python manage.py compilemessages -l es -i '.venv'

clean:
	rm -rf $(VENV) var
