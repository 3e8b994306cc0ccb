"""The `pyike` command run in-process, its output taken from pytest's capsys."""

from __future__ import annotations

import pytest

from pyike.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`pyike ARGS...`: (exit code, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
