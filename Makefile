# sinorus — `make demo` and `make test` set everything up on a fresh machine (see README.md).
SHELL := /bin/bash
# uv itself comes from PyPI when the machine has none; everything else from uv.lock.
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)

.PHONY: demo test lint format env uv bench clean

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

env: .venv/.synced
.venv/.synced: pyproject.toml uv.lock | uv
	$(UV) sync --frozen
	touch $@

demo: env
	$(UV) run --frozen sinorus demo

test: env
	$(UV) run --frozen pytest

lint: env
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

format: env
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

bench: env
	$(UV) run --frozen python bench/throughput.py

clean:
	rm -rf .venv .prefect data .pytest_cache
