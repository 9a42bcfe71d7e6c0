# The two commands a new user needs: `make run` and `make test`. Both set up the virtual environment first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test test-fast bench lint clean prod-local

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,postgres,mysql]'
	touch $(STAMP)

## run: the embedded demo (simulator + poller + web app) at http://127.0.0.1:8050
run: $(STAMP)
	$(BIN)/python app.py

## test: the whole suite on both cores (browser tests skip without /usr/bin/chromium unless HOTLINE_TEST_STRICT=1)
PARALLEL ?= -n 2 --dist loadfile
test: $(STAMP)
	$(BIN)/python -m pytest $(PARALLEL) $(PYTEST_ARGS)

## test-fast: the tests without a browser, a database server or the slow marker (about a minute), for every edit
test-fast: $(STAMP)
	$(BIN)/python -m pytest $(PARALLEL) -m "not e2e and not slow and not redis and not postgres and not mariadb" -q $(PYTEST_ARGS)

## prod-local: the production topology on this machine (PostgreSQL, Redis, two pollers, gunicorn) at :8050
prod-local: $(STAMP)
	$(BIN)/python tools/prod_local.py

## bench: the performance scripts (figures in the README)
bench: $(STAMP)
	$(BIN)/python bench/poll_cycle.py

## lint: ruff over the whole tree; fails on any finding
lint: $(STAMP)
	$(BIN)/python -m ruff check .

clean:
	rm -rf $(VENV) var artifacts .pytest_cache
