"""`pyike lab`'s options: none is silently ignored, and a mistake shows `pyike lab`'s usage
(as it shows each sub-command's own usage elsewhere)."""

from __future__ import annotations

import pytest

from pyike.cli import main


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["lab", "--bogus"], "usage: pyike lab "),
        (["lab", "--interactive", "--bogus"], "usage: pyike lab "),
        (["decode", "--bogus"], "usage: pyike decode "),
        (["explain", "log.txt", "--bogus"], "usage: pyike explain "),
        (["config", "check", "r.cfg", "--bogus"], "usage: pyike config check "),
        (["config", "--bogus"], "usage: pyike config "),
        (["exec", "--bogus", "show crypto session"], "usage: pyike exec "),
        (["--bogus"], "usage: pyike [-h]"),
    ],
)
def test_an_unknown_option_shows_the_usage_of_its_command(
    capsys: pytest.CaptureFixture[str], argv: list[str], usage: str
) -> None:
    err = usage_error(capsys, *argv)
    assert err.startswith(usage)
    assert err.rstrip().endswith("error: unrecognized arguments: --bogus")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--speed", "10x"], "--speed applies only with --interactive"),
        (["--speed", "10x", "--scenario", "nat"], "--speed applies only with --interactive"),
        (["--quiet", "--interactive"], "--quiet does not apply to --interactive"),
        (["--quiet", "--netns"], "--quiet does not apply to --netns"),
        (["--interactive", "--netns"], "--interactive and --netns cannot be used together"),
        (["--scenario", "nat", "--interactive"], "--interactive and --scenario cannot be used"),
    ],
)
def test_options_that_would_do_nothing_are_refused(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    err = usage_error(capsys, "lab", *argv)
    assert err.startswith("usage: pyike lab ")
    assert f"pyike lab: error: {message}" in err


def test_quiet_on_the_seed_run_prints_only_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "--quiet"]) == 0
    assert capsys.readouterr() == (
        "% pyike lab: the seed scenario ran as the seed document shows it.\n",
        "",
    )
