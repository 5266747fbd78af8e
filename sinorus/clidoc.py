"""docs/cli.md, generated from every command's --help: `python -m sinorus.clidoc [--check]`.

The reference cannot drift from the code: the test suite runs `--check`, which fails when the
file differs from what the commands print now, or when a command has no help of its own.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from typer.main import get_command
from typer.testing import CliRunner

from sinorus.cli import app

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
HEADER = """# The `sinorus` command line

Generated from each command's `--help` by `python -m sinorus.clidoc` (`make docs`); the tests
fail when this file is stale. Every command but `newsroom` takes `--config` (env
`SINORUS_CONFIG`) and `--db` (env `SINORUS_DB`).
"""


def commands(group=None, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """Return (path, help) for every command, groups included, in the order --help lists them."""
    group = group or get_command(app)
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        found.append((path, (command.help or "").strip()))
        if hasattr(command, "commands"):
            found += commands(command, path)
    return found


def help_text(path: tuple[str, ...]) -> str:
    """Return what `sinorus PATH --help` prints, plain, 100 columns wide."""
    env = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}
    result = CliRunner().invoke(app, [*path, "--help"], env=env, prog_name="sinorus")
    if result.exit_code != 0:
        raise RuntimeError(f"sinorus {' '.join(path)} --help failed: {result.output}")
    return "\n".join(line.rstrip() for line in result.output.strip().splitlines())


def render() -> str:
    """Return docs/cli.md as it should be now."""
    parts = [HEADER, "```text", help_text(()), "```"]
    for path, _ in commands():
        parts += [f"\n## sinorus {' '.join(path)}\n", "```text", help_text(path), "```"]
    return "\n".join(parts) + "\n"


def missing_help() -> list[str]:
    """Return the commands that have no help text of their own."""
    return [" ".join(path) for path, text in commands() if not text]


def main(argv: list[str] | None = None) -> int:
    """Write docs/cli.md, or with --check say whether it is up to date; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if docs/cli.md is stale")
    args = parser.parse_args(argv)
    os.environ.setdefault("COLUMNS", "100")
    lacking = missing_help()
    if lacking:
        print(f"commands without help: {', '.join(lacking)}", file=sys.stderr)
        return 1
    text = render()
    if args.check:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is stale: run `make docs`", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
