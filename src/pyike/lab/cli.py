"""`pyike lab`: simulated IOS routers on a virtual clock."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pyike.adapter.config_policy import policy_for_config
from pyike.ike.graph import to_dot
from pyike.lab.lab import RunOptions
from pyike.lab.report import REPORT_FORMATS, Report
from pyike.lab.seed import SEED_END, run_seed
from pyike.lab.topology_run import run_cli as run_topology
from pyike.textfile import read_text
from pyike.topology import parse_duration, parse_exec
from pyike.topology.seed import SEED_FILES


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="run simulated IOS routers (with no arguments: the seed document's two routers)",
        description=(
            "Run simulated Cisco IOS routers in one process on a virtual clock. With no "
            "arguments, replay the seed document: Router1 and Router2 bring up Tunnel0 with "
            "IKEv2 and a pre-shared key, with `debug crypto ikev2` output, show commands, "
            "pings through the tunnel and the IKE SA rekey forced by the 120 s lifetime."
        ),
    )
    parser.add_argument("--seed", type=int, default=0, help="randomness seed (SPIs, nonces, keys)")
    parser.add_argument(
        "configs",
        nargs="*",
        metavar="CONFIG",
        help="router configurations (or .lab files, or directories of both) to run instead "
        "of the seed's two routers",
    )
    parser.add_argument(
        "--interactive",
        action="store_true",
        help="an IOS exec prompt per router while the virtual clock runs in real time",
    )
    parser.add_argument(
        "--ssh",
        metavar="[ADDR:]PORT",
        help="with --interactive: each router's command line over SSH, the first router on "
        "PORT, the next on PORT+1, ... (127.0.0.1 unless ADDR is given); users from each "
        "router's configuration (username ... secret, ip ssh pubkey-chain)",
    )
    parser.add_argument(
        "--ssh-host-key",
        type=Path,
        metavar="FILE",
        help="with --ssh: the SSH host key (made there, mode 0600, if missing; default: a new "
        "key each run)",
    )
    parser.add_argument(
        "--speed",
        metavar="Nx",
        help="with --interactive: how much faster than real time the clock runs (e.g. 10x; "
        "default 1x)",
    )
    parser.add_argument(
        "--scenario",
        metavar="NAME",
        help="run a named what-if on the seed's routers (see --list-scenarios): their debug "
        "output, what IOS shows, and pyike explain's verdict on it",
    )
    parser.add_argument(
        "--list-scenarios", action="store_true", help="list the named what-ifs and exit"
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="print only the verdict (and what went wrong), not the routers' output",
    )
    parser.add_argument(
        "--fsm",
        choices=("dot", "svg"),
        help="print the engine's IKEv2 state machines, drawn from its transition tables: "
        "Graphviz source (dot) or a picture (svg, needs Graphviz's dot)",
    )
    parser.add_argument(
        "--exec",
        dest="execs",
        action="append",
        default=[],
        metavar="'HOST: COMMAND [@TIME]'",
        help="type COMMAND at HOST's prompt after the run, or at virtual time TIME (e.g. "
        "@90s); repeatable, in order",
    )
    parser.add_argument(
        "--exec-file",
        metavar="FILE",
        help="commands to type, one `HOST: COMMAND [@TIME]` a line (# and ! start comments)",
    )
    parser.add_argument(
        "--until",
        metavar="DURATION",
        help="how long the lab runs (e.g. 90s, 2m, 1h): for a topology instead of its `run` "
        "directive (30s by default); the seed run stops there, or runs on to it; with --netns, "
        "how long to wait for the tunnels (and routing) to come up (30s by default)",
    )
    parser.add_argument(
        "--debug",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="`debug crypto ikev2` on every router (default: on for the seed run, off for a "
        "topology)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the run as JSON, one object a line (schema pyike-lab/1: SAs, tunnels, "
        "commands and their output, checks, the verdict)",
    )
    parser.add_argument(
        "--report",
        nargs="?",
        action=_ReportFormat,
        metavar="FORMAT",
        help="a report on every configured session instead of the routers' output: text "
        "(the default), markdown, json (schema pyike-lab-report/1) or html (one page with a "
        "topology drawing); each session's status, ends, algorithms, and for failures pyike "
        "explain's cause; without CONFIG, the seed's two routers",
    )
    parser.add_argument(
        "--netns",
        action="store_true",
        help="run the routers as real `pyike run` daemons, each in a network namespace, "
        "joined by veth pairs, their router bgp|ospf|eigrp in FRRouting; ping through real "
        "TUN devices, then tear down (root)",
    )

    def handler(args: argparse.Namespace) -> int:
        args.configs = [*getattr(args, "report_configs", []), *args.configs]
        _refuse_unused(parser, args)
        try:
            options = run_options(args)
        except ValueError as error:
            parser.error(str(error).removeprefix("% "))
        except OSError as error:  # --exec-file: missing, unreadable, not text
            parser.error(f"--exec-file {error.filename}: {error.strerror}")
        return run(args, options)

    parser.set_defaults(handler=handler)


class _ReportFormat(argparse.Action):
    """`--report [FORMAT]`: a value that is no format but a file or directory is the first
    CONFIG (`pyike lab --report DIR`), the format then text."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        value = values if isinstance(values, str) else None
        if value is None or value in REPORT_FORMATS:
            setattr(namespace, self.dest, value or "text")
        elif Path(value).exists():
            setattr(namespace, self.dest, "text")
            namespace.report_configs = [value]
        else:
            formats = ", ".join(REPORT_FORMATS)
            parser.error(f"--report: {value!r} is neither a format ({formats}) nor a file")


def _given(*options: tuple[str, object]) -> list[str]:
    """The options among `options` (name, value) that were given, in order."""
    return [option for option, value in options if value]


def _refuse_unused(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Options that would have no effect as given are usage errors, not silently ignored."""
    modes = _given(
        ("--interactive", args.interactive),
        ("--scenario", args.scenario),
        ("--list-scenarios", args.list_scenarios),
        ("--netns", args.netns),
        ("--fsm", args.fsm),
    )
    if len(modes) > 1:
        parser.error(f"{modes[0]} and {modes[1]} cannot be used together")
    if args.speed is not None and not args.interactive:
        parser.error("--speed applies only with --interactive")
    if (args.ssh is not None or args.ssh_host_key is not None) and not args.interactive:
        parser.error("--ssh and --ssh-host-key apply only with --interactive")
    if args.quiet and modes and modes[0] != "--scenario":
        parser.error(f"--quiet does not apply to {modes[0]}")
    if args.fsm and args.configs:
        parser.error("--fsm draws the engine's state machines; it takes no CONFIG")
    run_only = _given(
        ("--exec", args.execs),
        ("--exec-file", args.exec_file),
        ("--until", args.until),
        ("--debug/--no-debug", args.debug is not None),
        ("--json", args.json),
        ("--report", args.report is not None),
    )
    if modes == ["--netns"]:
        run_only = [option for option in run_only if option != "--until"]
    if run_only and modes:
        parser.error(f"{run_only[0]} does not apply to {modes[0]}")
    if args.json and args.quiet:
        parser.error("--json and --quiet cannot be used together")
    if args.report is not None:
        _refuse_with_report(parser, args)


def _refuse_with_report(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """The report is the whole output: the options that shape another output do not apply."""
    if args.json:
        parser.error("--json and --report cannot be used together (try --report json)")
    if args.quiet:
        parser.error("--quiet does not apply to --report (it prints only the report)")
    if args.debug is False:
        parser.error(
            "--no-debug does not apply to --report: its causes come from the routers' debug "
            "output (--debug shows it, on stderr)"
        )


def run_options(args: argparse.Namespace) -> RunOptions:
    """The seed or topology run's options; ValueError for a bad value, OSError for an
    `--exec-file` that cannot be read as text."""
    execs = [parse_exec(spec, "--exec") for spec in args.execs]
    if args.exec_file:
        text = read_text(Path(args.exec_file))
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if line and not line.startswith(("#", "!")):
                where = f"{args.exec_file}:{number}"
                try:
                    execs.append(parse_exec(line, where))
                except ValueError as error:
                    raise ValueError(f"{where}: {error}") from None
    until = parse_duration(args.until) if args.until else None
    late = next((e for e in execs if e.at is not None and until is not None and e.at > until), None)
    if late is not None:
        raise ValueError(f"{late.where}: @{late.at:g}s is after --until {args.until}")
    records = Report(as_json=True).record if args.json else None
    return RunOptions(args.debug, tuple(execs), until, records)


def run(args: argparse.Namespace, options: RunOptions) -> int:
    # The other modes are imported only when chosen, for start-up speed: the namespace
    # runner, the scenarios (with the explainer) and the interactive shell each cost more
    # import time than the seed run needs.
    if args.fsm:
        return draw_state_machines(args.fsm)
    if args.netns:
        from pyike.netns.run import run_cli as run_netns

        return run_netns(args)
    if args.scenario or args.list_scenarios:
        from pyike.lab.scenarios import run_cli as run_scenario

        return run_scenario(args)
    if args.interactive:
        from pyike.lab.interactive import run_cli as run_interactive

        if args.ssh is None:
            return run_interactive(args)
        from pyike.lab.ssh_access import run_served  # asyncssh only when asked for

        return run_interactive(args, lambda console: run_served(console, args))
    if not sys.stderr.isatty():
        return _run_lab(args, options)
    from pyike.lab.progress import terminal_progress  # rich only for a terminal

    progress = terminal_progress(json=args.json, quiet=args.quiet)
    if progress is None:
        return _run_lab(args, options)
    with progress:
        return _run_lab(args, replace(options, watch=progress.watch, loading=progress.loading))


def _run_lab(args: argparse.Namespace, options: RunOptions) -> int:
    """The seed, a topology or its report."""
    if args.report is not None:
        from pyike.lab.report_cli import report_cli

        return run_topology(args, options, report_cli)
    if args.configs:
        return run_topology(args, options)
    for check in options.execs:
        if check.host not in SEED_FILES:
            return Report(args.json).failed(f"% {check.where}: no router named {check.host}")
    output = None if args.quiet or args.json else print
    result = run_seed(policy_for_config, output, seed=args.seed, options=options)
    summary = "the seed scenario ran as the seed document shows it." if result.ok else None
    if summary is not None and options.until is not None and options.until < SEED_END:
        summary = f"the seed scenario ran as the seed document shows it, up to {args.until}."
    return Report(args.json).verdict(result.ok, summary, result.problems, blank=not args.quiet)


def draw_state_machines(form: str) -> int:
    """`pyike lab --fsm dot|svg`: the picture of IOS's IKEv2 state machines as pyike runs them."""
    source = to_dot()
    if form == "dot":
        sys.stdout.write(source)
        return 0
    dot = shutil.which("dot")
    if dot is None:
        print(
            "% pyike lab --fsm svg needs Graphviz's dot (Debian: apt-get install graphviz); "
            "--fsm dot prints the graph's source",
            file=sys.stderr,
        )
        return 1
    done = subprocess.run([dot, "-Tsvg"], input=source, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"% pyike lab --fsm svg: dot failed: {done.stderr.strip()}", file=sys.stderr)
        return 1
    sys.stdout.write(done.stdout)
    return 0
