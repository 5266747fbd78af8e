# sinorus — `make demo` and `make test` set everything up on a fresh machine (see README.md).
SHELL := /bin/bash
# uv itself comes from PyPI when the machine has none; everything else from uv.lock.
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)

.PHONY: test-pool demo test eval eval-update lint format env uv bench clean system-deps docs

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

# Bytecode compiled once here (6 s): where PYTHONDONTWRITEBYTECODE is set, as on CI, Python
# otherwise compiled every module in every process it started, 3.5 s of each `sinorus run`.
env: .venv/.synced
.venv/.synced: pyproject.toml uv.lock | uv
	$(UV) sync --frozen --compile-bytecode
	$(UV) run --frozen python -m compileall -q -j 0 config devtools flows sinorus tasks warehouse >/dev/null
	touch $@

demo: env
	$(UV) run --frozen sinorus demo

# The suite on TEST_WORKERS pytest-xdist workers, each with its own newsroom server, Prefect
# test server and lakes; the groups of tests/conftest.py (ONE_WORKER) each run on one worker.
# Many tests wait on servers and subprocesses, so more workers than cores pay off (decisions.md).
TEST_WORKERS ?= 3
test: env system-deps
	$(UV) run --frozen pytest -n $(TEST_WORKERS) --dist loadgroup --durations=15

# Only the pooled backfill's tests (two process workers under a SIGKILL, PostgreSQL, 1,000 URLs:
# 3.5-6 min on a busy 2-core machine; `make test` runs them too): tests/test_backfill_pool.py.
test-pool: env system-deps
	$(UV) run --frozen pytest tests/test_backfill_pool.py

# The tests' own PostgreSQL (tests/test_postgres.py: a throwaway cluster, run as `postgres`) needs
# Debian's `postgresql` server binaries: installed here when missing and we are root (apt-get,
# from the Debian mirrors). Where they cannot be, those tests skip and say why. Likewise Chromium.
PG_INITDB = /usr/lib/postgresql/*/bin/initdb
system-deps:
	@if ls $(PG_INITDB) >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing PostgreSQL (Debian's postgresql) for the tests"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends postgresql >/dev/null; } \
			|| echo "could not install postgresql: the PostgreSQL tests will skip"; \
	else \
		echo "no PostgreSQL server (Debian: apt-get install postgresql, as root):" \
			"the PostgreSQL tests will skip"; \
	fi
	@# tests/test_report.py opens the HTML report in Debian's headless chromium (through playwright).
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Chromium (Debian's chromium) for the report tests"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium >/dev/null; } \
			|| echo "could not install chromium: the report's browser tests will skip"; \
	else \
		echo "no chromium (Debian: apt-get install chromium, as root):" \
			"the report's browser tests will skip"; \
	fi

# Precision/recall of relevance and duplicate detection, B-cubed P/R/F1 of the event assignment,
# on tests/eval/, against pinned floors.
eval: env
	$(UV) run --frozen python -m devtools.evaluate

# The only way the floors move: pin the current metrics (review the diff of tests/eval/floors.toml).
eval-update: env
	$(UV) run --frozen python -m devtools.evaluate --update-floors

# docs/cli.md from every command's --help (the tests fail when it is stale).
docs: env
	$(UV) run --frozen python -m sinorus.clidoc

lint: env
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

format: env
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

bench: env
	$(UV) run --frozen python bench/throughput.py
	$(UV) run --frozen python bench/dedup.py

clean:
	rm -rf .venv .prefect data .pytest_cache
