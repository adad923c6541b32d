# Two commands: `make run` serves Dues, `make test` runs every check and test.
# `make bench` prints the benchmarks (ARGS=--large for the big sizes, ARGS=--write to record).
PYTHON ?= python3
# Where `make run` listens: HOST=0.0.0.0 serves the LAN. DUES_HOST, DUES_PORT and
# DUES_THREADS set them too, as in the container.
HOST ?= $(or $(DUES_HOST),127.0.0.1)
PORT ?= $(or $(DUES_PORT),5000)
THREADS ?= $(or $(DUES_THREADS),8)
VENV := .venv
BIN := $(VENV)/bin

CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test bench clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.app-installed

# Each catalog is compiled when it changed: the .mo files are built, never committed.
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.app-installed
	$(BIN)/pybabel -q compile -d translations -l $*

# After changing text: extract it, merge it into each catalog, translate, compile.
translations: $(VENV)/.app-installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_ngettext:1,2 --no-location --sort-output \
		--omit-header -o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-wrap --ignore-obsolete
	$(BIN)/pybabel -q compile -d translations

run: $(VENV)/.app-installed $(COMPILED)
	$(BIN)/flask --app app serve --host $(HOST) --port $(PORT) --threads $(THREADS)

test: $(VENV)/.test-installed $(COMPILED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n 2

bench: $(VENV)/.test-installed $(COMPILED)
	$(BIN)/python -m bench.run $(ARGS)

clean:
	rm -rf $(VENV) *.egg-info test-artifacts
