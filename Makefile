# Wonen en Zorg 2040 - set-up and main jobs. Two commands do everything:
#   make demo   install, generate the demo region, build every layer, serve the viewer
#   make test   install with the test dependencies (and Chromium) and run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test install install-test build serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

static/node_modules/.package-lock.json: static/package.json static/package-lock.json
	cd static && npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed static/node_modules/.package-lock.json

install-test: $(VENV)/.installed-test static/node_modules/.package-lock.json
	sh scripts/install-system-deps.sh

demo: install
	$(BIN)/wz demo
	$(BIN)/wz build
	$(BIN)/wz serve --host $(HOST) --port $(PORT)

build: install
	$(BIN)/wz build

serve: install
	$(BIN)/wz serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/pytest

clean:
	rm -rf data/demo data/build data/.build-versies
