# Metascene: `make run` installs, migrates, seeds the demo and starts the site; `make test` runs the suite.
# Needs python3 (3.11+), node/npm, and on Debian: chromium, fonts-wqy-microhei and gettext (`make install-system`).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py
URL := http://127.0.0.1:8000
# Debian packages: Mesa's EGL for headless thumbnails (and libGL.so.1, which moderngl's EGL context loads),
# Node.js for the glTF validator, headless Chromium and a CJK font for the browser tests, gettext's msgfmt for
# translations. deploy/Dockerfile installs the same list less chromium (tests/deploy/test_dockerfile.py).
SYSTEM_PACKAGES := libegl1 libgl1 libgl1-mesa-dri libegl-mesa0 chromium fonts-wqy-microhei gettext
# Files copied from frontend/node_modules into frontend/static/vendor/ at install; "path=name" copies under another
# name. model-viewer.min.js is the self-contained build (three.js included); it loads the meshopt decoder script
# from our static files (see static/js/scoresheet.js) instead of a CDN, as a classic script, hence the .js name.
# tus.min.js is tus-js-client's browser build (window.tus), the resumable upload client of static/js/upload.js.
# The source maps a minified script names go with it: collectstatic in production (the manifest storage) refuses a
# script whose map is missing.
VENDOR_FILES := @picocss/pico/css/pico.min.css @google/model-viewer/dist/model-viewer.min.js \
	@google/model-viewer/dist/model-viewer.min.js.map meshoptimizer/meshopt_decoder.cjs=meshopt_decoder.js \
	tus-js-client/dist/tus.min.js tus-js-client/dist/tus.min.js.map
PYTEST_ARGS ?=
PIPELINE_NODE := competitions/pipeline/node

.PHONY: help install install-system python-deps node frontend pipeline-node messages migrate seed run test deploy-check lint clean distclean

help:
	@echo "make run             install, migrate, seed the demo, then serve $(URL) with a worker, beat and the watchdog"
	@echo "make test            run the whole test suite (PYTEST_ARGS=... to pass options)"
	@echo "make install         virtualenv, Python and npm packages, translations"
	@echo "make install-system  Debian packages the tests need (as root)"
	@echo "make deploy-check    check the deployment files of deploy/ (schemas, lint, commands; no Docker needed)"
	@echo "make migrate | seed | lint | clean | distclean"

install: python-deps frontend pipeline-node messages

$(PYTHON):
	python3 -m venv $(VENV)

# Reinstalled only when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(PYTHON)
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $@

python-deps: $(VENV)/.installed

# Node.js runs the glTF validator and installs the front-end packages; Debian's own is enough.
node:
	@if ! command -v npm >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm; \
		else \
			echo "Node.js and npm are missing. Run: sudo apt-get install -y nodejs npm" >&2; exit 1; \
		fi; \
	fi

frontend: node
ifneq ($(wildcard frontend/package-lock.json),)
	@if [ ! -f frontend/node_modules/.installed ] || [ frontend/package-lock.json -nt frontend/node_modules/.installed ]; then \
		npm ci --prefix frontend --no-audit --no-fund && touch frontend/node_modules/.installed; \
	fi
	mkdir -p frontend/static/vendor
	for file in $(VENDOR_FILES); do cp frontend/node_modules/$${file%%=*} frontend/static/vendor/$$(basename $${file#*=}); done
endif

# The Khronos glTF-Validator and gltfpack, run by the asset pipeline with Node.js.
pipeline-node: node
	@if [ ! -f $(PIPELINE_NODE)/node_modules/.installed ] || [ $(PIPELINE_NODE)/package-lock.json -nt $(PIPELINE_NODE)/node_modules/.installed ]; then \
		npm ci --prefix $(PIPELINE_NODE) --no-audit --no-fund && touch $(PIPELINE_NODE)/node_modules/.installed; \
	fi

messages: python-deps
ifneq ($(wildcard locale),)
	@if ! command -v msgfmt >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y gettext; \
		else \
			echo "msgfmt (GNU gettext) is missing. Run: sudo apt-get install -y gettext" >&2; exit 1; \
		fi; \
	fi
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules --ignore=var -v 0
endif

install-system:
	@missing=""; \
	for package in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "System packages present: $(SYSTEM_PACKAGES)"; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	else \
		echo "Missing system packages:$$missing. Run: sudo apt-get install -y$$missing" >&2; exit 1; \
	fi

migrate: python-deps
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

run: install migrate
	$(MANAGE) collectstatic --noinput -v 0
	$(MANAGE) seed_demo
	@echo "Starting the web server at $(URL), a Celery worker, beat and the watchdog. Ctrl-C stops them all."
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/honcho start -f Procfile

# --ds: the test settings, whatever DJANGO_SETTINGS_MODULE the shell has. DATABASE_URL / REDIS_URL choose the backends.
test: install install-system
	$(PYTHON) -m pytest --ds=metascene.settings.test $(PYTEST_ARGS)

# The deployment files of deploy/ (also part of `make test`): see deploy/README.md, "Checks".
deploy-check: python-deps
	$(PYTHON) -m pytest --ds=metascene.settings.test tests/deploy $(PYTEST_ARGS)

# Style, types, the layer contracts of pyproject.toml and the module size (400 lines).
lint: python-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	PYTHONPATH=platform $(VENV)/bin/lint-imports
	$(PYTHON) scripts/check_module_size.py

# Generated files only: the database, uploads and queued tasks in var/ stay (distclean removes them and the venv).
clean:
	rm -rf frontend/node_modules frontend/static/vendor var/static var/cache var/test-media
	rm -rf .pytest_cache .ruff_cache test-artifacts
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) var
