# Every user verb, each setting up what it needs first. Set-up steps are stamped on their lock
# files, so a second run installs nothing.
SHELL := /bin/bash
PY := .venv/bin/python
UV := $(or $(shell command -v uv 2>/dev/null),python3 -m uv)
DECK ?= .
ARGS ?=
STAMPS := .cache/stamps

.PHONY: setup slides check pdf handout notebooks serve test bench clean

setup: .venv/.synced node_modules/.installed data/MNIST/raw/.ready

$(STAMPS)/uv:
	@mkdir -p $(STAMPS)
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@touch $@

.venv/.synced: pyproject.toml uv.lock | $(STAMPS)/uv
	$(UV) sync --locked --compile-bytecode  # .pyc at install: each build starts faster, whatever PYTHONDONTWRITEBYTECODE says
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

data/MNIST/raw/.ready: .venv/.synced node_modules/.installed code_snippets/data.py
	$(PY) -m code_snippets.data
	@touch $@

$(STAMPS)/chromium:
	@mkdir -p $(STAMPS)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; } || \
	  { echo "Chromium is missing: install it with 'sudo apt-get install chromium' (Debian/Ubuntu)"; exit 1; }
	@command -v pdftoppm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; } || true
	@touch $@

slides: setup
	$(PY) build.py build --deck $(DECK) $(ARGS)

# Every reference resolved and run, then the student notebooks exported and run top to bottom.
check: setup
	$(PY) build.py check --deck $(DECK) $(ARGS)
	$(PY) build.py notebooks --deck $(DECK) $(ARGS)
	$(PY) -m pytest --nbval-lax -p no:cacheprovider -q $(DECK)/build/notebooks/*.ipynb

pdf: setup $(STAMPS)/chromium
	$(PY) build.py pdf --deck $(DECK) $(ARGS)

handout: setup $(STAMPS)/chromium
	$(PY) build.py pdf --handout --deck $(DECK) $(ARGS)

notebooks: setup
	$(PY) build.py notebooks --deck $(DECK) $(ARGS)

serve: setup
	$(PY) build.py serve --deck $(DECK) $(ARGS)

# The whole suite; pytest's "no tests ran" (exit 5) fails like any other error. One pytest process
# per core (at most 4): most tests wait on a browser, a worker or a notebook kernel, so two cores
# halve the time. A test file stays in one process, so its module fixtures are built once.
test: setup $(STAMPS)/chromium
	$(PY) -m pytest -n auto --maxprocesses 4 --dist loadfile $(ARGS)

bench: setup $(STAMPS)/chromium
	$(PY) bench/bench.py $(ARGS)

clean:
	rm -rf build .cache
