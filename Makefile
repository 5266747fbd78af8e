# sinorus — `make demo` and `make test` set everything up on a fresh machine (see README.md).
SHELL := /bin/bash
# uv itself comes from PyPI when the machine has none; everything else from uv.lock.
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)

.PHONY: demo test eval eval-update lint format env uv bench clean

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

# Precision/recall of relevance and duplicate detection on tests/eval/, against pinned floors.
eval: env
	$(UV) run --frozen python -m sinorus.evaluate

# The only way the floors move: pin the current metrics (review the diff of tests/eval/floors.toml).
eval-update: env
	$(UV) run --frozen python -m sinorus.evaluate --update-floors

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
