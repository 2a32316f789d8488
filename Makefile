# The two set-up commands of the README are `make run` and `make test`.
PY := .venv/bin/python
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist); each worker has its own test database and e2e server.
PYTEST_WORKERS ?= 2

.PHONY: install run test test-postgres quality bench lock

install:
	./scripts/install.sh

## Install, migrate, load the Cahors territory and its offer, serve at http://127.0.0.1:8000
run: install
	$(PY) manage.py bootstrap --demo
	$(PY) manage.py runserver 127.0.0.1:8000

## Install (Python packages, Debian chromium) and run the whole test suite on SQLite
test:
	./scripts/install.sh --browser
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## The same suite against PostgreSQL (a fresh test database is created and dropped)
test-postgres:
	./scripts/install.sh --browser
	./scripts/ensure_postgres.sh
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/carteblanche_ci $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS) --create-db

quality: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

bench: install
	$(PY) bench/run_all.py

## Lock files with hashes of every dependency (production: pip install --no-deps --require-hashes -r requirements.lock)
lock: install
	.venv/bin/uv pip compile requirements.txt --override requirements-overrides.txt \
		--generate-hashes --python-version 3.11 --no-header --quiet -o requirements.lock
	.venv/bin/uv pip compile requirements-dev.txt --override requirements-overrides.txt \
		--generate-hashes --python-version 3.11 --no-header --quiet -o requirements-dev.lock
