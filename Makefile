# ShiftPlay. Two entry points for a fresh machine: `make demo` and `make test`.
# Every target installs what it needs if it is missing and is safe to re-run.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export NODE_PATH ?= /usr/share/nodejs

.PHONY: demo test build web site serve system venv bench bench-web bench-ort bench-page loadtest clean new-env need-env train export evaluate train-bench

demo: build web
	$(PY) server.py --host $(HOST) --port $(PORT)

test: build web
	bash tests/run_all.sh

# Debian packages: a C compiler, Emscripten, Chromium (browser tests), brotli, node.
system:
	@missing=""; \
	for pair in gcc:gcc emcc:emscripten chromium:chromium brotli:brotli node:nodejs npm:npm; do \
	  cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then \
	    echo "Missing Debian packages:$$missing. Install them: apt-get install$$missing"; exit 1; \
	  fi; \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

venv: $(VENV)/.installed

# Compiles every env's Python extension (envs/<name>/_env*.so) in place.
# setuptools' notice about editable installs is filtered; compiler errors still show.
build: system venv
	PYTHONWARNINGS="ignore:Editable installation" $(PIP) install -q --no-build-isolation --no-deps -e .

# Browser builds of the envs, and web/node_modules (onnxruntime-web) from web/package.json.
web: system venv web/node_modules/.installed
	./build_web.sh

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The static site in dist/site/: the gallery, every play page and what they load, as plain
# files for any static host (GitHub Pages: .github/workflows/pages.yml). SITE_OUT=dir elsewhere.
SITE_OUT ?= dist/site
site: web
	$(PY) web/tools/build_site.py --out $(SITE_OUT)

# A new env from the template (envs/template/): make new-env NAME=mygame
new-env:
	@test -n "$(NAME)" || { echo "usage: make new-env NAME=mygame"; exit 2; }
	python3 envs/new_env.py "$(NAME)"

# Benchmarks (bench/): JSON lines. bench-web: wasm size and speed vs native;
# bench-ort: the policy in headless Chromium; bench-page: first frame and model takeover
# against a bare WebGL page and the env alone.
bench: build
	$(PY) -m bench.envs

bench-web: build web
	$(PY) -m bench.web

bench-ort: build web
	$(PY) -m bench.ort

bench-page: build web
	$(PY) -m bench.first_frame

# server.py under load on 127.0.0.1: visitors with 1,000 idle and 100 slowloris sockets
# open; one JSON line (req/s, p50/p99 ms, errors). Flags: make loadtest ARGS="--seconds 30"
loadtest: venv
	$(PY) -m bench.loadtest $(ARGS)

# Training and export with the project's venv: make train ENV=breakout [ARGS="--minutes 30"]
ENV ?=
need-env:
	@test -n "$(ENV)" || { echo "usage: make $(MAKECMDGOALS) ENV=<name> [ARGS=...]"; exit 2; }

train: need-env build
	$(PY) -m train --env $(ENV) $(ARGS)

export: need-env build
	$(PY) -m export --env $(ENV) $(ARGS)

evaluate: need-env build
	$(PY) -m export.evaluate --env $(ENV) $(ARGS)

train-bench: need-env build
	$(PY) -m train.bench --env $(ENV) $(ARGS)

clean:
	rm -rf build web/build dist envs/*/_env*.so *.egg-info
