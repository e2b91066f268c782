# Coso — the two set-up commands are `make run` and `make test`; both install what they need first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 0.02
# the suite runs on this many processes (pytest-xdist); JOBS=0 runs it in one
JOBS ?= 2
# `make load`: simulated users and how long (locust's notation: 30s, 10m, 1h)
LOAD_USERS ?= 50
LOAD_TIME ?= 10m
LOAD_ARGS ?=
LOAD_STAMP := $(VENV)/.load-stamp

# `make fuzz`: schemathesis' test cases per API operation and phase (bench/fuzz.py; CI runs it with 5)
FUZZ_EXAMPLES ?= 50
FUZZ_ARGS ?=

.PHONY: setup run test check bench load fuzz demo clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	@mkdir -p var
	$(BIN)/coso migrate --noinput -v0
	$(BIN)/coso load_demo

run: demo
	$(BIN)/coso collectstatic --noinput -v0
	@echo ""
	@echo "  Coso đang chạy tại: http://$(HOST):$(PORT)/"
	@echo "  Đăng nhập (Ban Tổ chức Tỉnh ủy):  tentinh / coso-demo-2025"
	@echo "  Quản trị hệ thống:                admin / coso-admin-2025"
	@echo ""
	@# the task worker (imports, exports, big reports) runs beside the server and stops with it
	@$(BIN)/coso db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/coso runserver $(HOST):$(PORT)

test: setup
	$(BIN)/python -m pytest -n $(JOBS)

check: setup
	$(BIN)/ruff check coso tests bench
	$(BIN)/ruff format --check coso tests bench
	$(BIN)/mypy coso

bench: setup
	$(BIN)/python -m bench.run --scale $(SCALE)

$(LOAD_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,load]'
	@touch $(LOAD_STAMP)

# headless locust against `coso serve` on a throw-away demo database (bench/load.py); fails on any request error
load: $(LOAD_STAMP)
	$(BIN)/python -m bench.load --users $(LOAD_USERS) --time $(LOAD_TIME) $(LOAD_ARGS)

# every API operation fuzzed by schemathesis on a throw-away database with the demo data (API throttles raised
# for the run); fails on any 5xx or any answer the schema does not describe. See bench/fuzz.py --help.
fuzz: setup
	$(BIN)/python -m bench.fuzz --examples $(FUZZ_EXAMPLES) $(FUZZ_ARGS)

clean:
	rm -rf var/coso.sqlite3* var/static
