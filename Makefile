# Chapterhouse — the README's commands. `make run` serves on the embedded SQLite default;
# `make test` runs the whole suite on SQLite, then on a throw-away PostgreSQL cluster.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CH     := $(VENV)/bin/chapterhouse
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres lint bench migrations messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(CH) migrate
	$(CH) serve

test: $(VENV)/.installed-test
	$(PY) -m pytest $(PYTEST_ARGS)
	scripts/with-postgres.sh $(PY) -m pytest $(PYTEST_ARGS)

test-sqlite: $(VENV)/.installed-test
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-test
	scripts/with-postgres.sh $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy core federation

bench: $(VENV)/.installed-test
	$(PY) bench/jobs_throughput.py
	scripts/with-postgres.sh $(PY) bench/jobs_throughput.py

# After changing a model: write the next migration (then review it; see docs/ARCHITECTURE.md).
migrations: $(VENV)/.installed-test
	$(VENV)/bin/tortoise -c chapterhouse.wiring.TORTOISE_DEV makemigrations

# After changing a user-facing string: extract the strings (babel.cfg) into
# web/translations/messages.pot and merge it into every language's messages.po; then translate
# what is new (tests/web/test_i18n_catalog.py names anything missing).
messages: $(VENV)/.installed-test
	$(PY) -m web.i18n_catalog

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
