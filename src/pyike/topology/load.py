"""Reading a topology from IOS configuration files: `pyike lab R1.cfg R2.cfg ...`.

Routers are named by their `hostname`. What a configuration cannot say is given by *lab
directives*, one a line, either in a comment header of any configuration (`! lab: DIRECTIVE`)
or in a sidecar file whose name ends in `.lab` (plain lines, `#` or `!` comments):

    nat NAME inside 192.168.10.254/24 outside 203.0.113.254/24 [gateway 203.0.113.1]
    delay 10.0.0.0/24 20ms          # one-way delay of a subnet's segment
    run 60s                         # how long the lab runs after the tunnels come up
    exec Spoke1: show ip route      # a command to run once the lab has run
    exec Hub: show crypto session @45s    # ... or at that virtual time
    expect Spoke1: ping 10.9.0.1 source Loopback0 => Success rate is 100 percent
    down Hub1 @60s                  # every link of Hub1 goes down then (it is cut off)
    up Hub1 Ethernet0/0 @300s       # ... and one comes back

`expect` runs the command and checks that its output contains the text after `=>`. A
directory argument stands for the `*.cfg` and `*.lab` files in it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from ipaddress import IPv4Address, IPv4Interface, ip_network
from pathlib import Path
from typing import TypeVar

from pyike.config import load
from pyike.config.model import DEFAULT_HOSTNAME
from pyike.config.params import interface_name
from pyike.textfile import read_text
from pyike.topology import dhcp_leases
from pyike.topology.model import Check, DelayHint, LinkEvent, NatHint, Topology, TopologyError
from pyike.topology.upstream import add_upstream

DIRECTIVE_PREFIX = "! lab:"
LAB_SUFFIX = ".lab"
CONFIG_SUFFIX = ".cfg"  # in a directory, the files read as router configurations
_T = TypeVar("_T")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")
_SCALE = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str) -> float:
    """`30s`, `2m`, `500ms`, `1h` or plain seconds."""
    m = _DURATION.match(text.strip().lower())
    if m is None:
        raise ValueError(f"% Invalid duration {text!r} (use e.g. 30s, 2m, 500ms)")
    return float(m.group(1)) * _SCALE[m.group(2)]


def expand(paths: Sequence[str | Path]) -> list[Path]:
    """The files the arguments name; a directory gives its `*.cfg` and `*.lab` files (notes and
    other text beside them are not configurations). A file named is read whatever its name."""
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix in (CONFIG_SUFFIX, LAB_SUFFIX)
            )
            if not found:
                raise TopologyError(f"% {path}: no .cfg or .lab files in this directory")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise TopologyError(f"% {path}: no such file")
    return files


def load_topology(
    paths: Sequence[str | Path], loaded: Callable[[int, int], None] | None = None
) -> Topology:
    """Read configurations and lab files; `TopologyError` (never a traceback) on bad input.
    ``loaded`` is told (files read, files named) before each file and at the end (a progress
    display)."""
    topology = Topology([])
    files = expand(paths)
    for read, path in enumerate(files):
        if loaded is not None:
            loaded(read, len(files))
        try:
            text = read_text(path)
        except OSError as error:
            raise TopologyError(f"% {path}: {error.strerror}") from None
        if path.suffix == LAB_SUFFIX:
            _directives(topology, text, str(path), prefix=None)
            continue
        result = load(text, str(path))
        if any(d.echo is None for d in result.errors):
            raise TopologyError("\n".join(d.format() for d in result.errors))
        topology.refused += result.errors
        _directives(topology, text, str(path), prefix=DIRECTIVE_PREFIX)
        topology.configs.append(result.config)
    if loaded is not None:
        loaded(len(files), len(files))
    if not topology.configs:
        raise TopologyError("% No router configurations given")
    _name_unnamed(topology)
    seen: set[str] = set()
    for config in topology.configs:
        if config.hostname in seen:
            raise TopologyError(f"% {config.file}: hostname {config.hostname} is already in use")
        seen.add(config.hostname)
    before = list(topology.configs)
    leases = dhcp_leases.lease(topology)
    add_upstream(topology)
    dhcp_leases.settle(topology, leases, before)
    seen |= set(topology.added)
    named: list[Check | LinkEvent] = [*topology.checks, *topology.links]
    for check in named:
        if check.host not in seen:
            raise TopologyError(f"% {check.where}: no router named {check.host}")
    for event in topology.links:
        config = next(c for c in topology.configs if c.hostname == event.host)
        if event.interface is not None and event.interface not in config.interfaces:
            raise TopologyError(f"% {event.where}: {event.host} has no interface {event.interface}")
    return topology


def _name_unnamed(topology: Topology) -> None:
    """Routers left with IOS's default name `Router` (no `hostname`) take their file's name
    when more than one of them would be `Router`."""
    unnamed = [i for i, c in enumerate(topology.configs) if c.hostname == DEFAULT_HOSTNAME]
    if len(unnamed) < 2:
        return
    for i in unnamed:
        config = topology.configs[i]
        name = Path(config.file).stem
        topology.configs[i] = replace(config, hostname=name)
        topology.notes.append(f"{config.file} has no hostname: this lab calls it {name}")


def _directives(topology: Topology, text: str, file: str, prefix: str | None) -> None:
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if prefix is not None:
            if not line.lower().startswith(prefix):
                continue
            line = line[len(prefix) :].strip()
        elif not line or line.startswith(("#", "!")):
            continue
        where = f"{file}:{number}"
        try:
            _directive(topology, line, where)
        except ValueError as error:
            raise TopologyError(f"{where}: {error}") from None


_AT = re.compile(r"\s@(\S+)$")


def parse_exec(text: str, where: str, *, expecting: bool = False, directive: str = "") -> Check:
    """`HOST: COMMAND [@TIME]`, or with `expecting` `HOST: COMMAND [@TIME] => TEXT`: a command
    to type at HOST's prompt after the lab has run, or at virtual time TIME (`90s`, `2m`)."""
    usage = f"% usage: {directive}HOST: COMMAND [@TIME]" + (" => TEXT" if expecting else "")
    expect = None
    if expecting:
        text, arrow, expect = text.partition("=>")
        expect = expect.strip()
        if not arrow or not expect:
            raise ValueError(usage)
    host, colon, command = text.partition(":")
    command = command.strip()
    at = None
    timed = _AT.search(command)
    if timed is not None:
        at = parse_duration(timed.group(1))
        command = command[: timed.start()].strip()
    if not colon or not host.strip() or not command:
        raise ValueError(usage)
    return Check(host.strip(), command, expect, where, at)


def _directive(topology: Topology, line: str, where: str) -> None:
    word, _, rest = line.partition(" ")
    word = word.lower()
    if word == "nat":
        topology.nats.append(_nat(rest.split()))
    elif word == "delay":
        parts = rest.split()
        if len(parts) != 2:
            raise ValueError("% usage: delay SUBNET DURATION")
        subnet = str(_checked(partial(ip_network, strict=False), parts[0]))
        topology.delays.append(DelayHint(subnet, parse_duration(parts[1])))
    elif word == "run":
        topology.run_seconds = parse_duration(rest)
        topology.run_where = where
    elif word in ("exec", "expect"):
        expecting = word == "expect"
        topology.checks.append(parse_exec(rest, where, expecting=expecting, directive=f"{word} "))
    elif word in ("down", "up"):
        topology.links.append(_link(word, rest, where))
    else:
        raise ValueError(
            f"% Unknown lab directive {word!r} (nat, delay, run, exec, expect, down, up)"
        )


def _link(word: str, rest: str, where: str) -> LinkEvent:
    words = rest.split()
    if len(words) not in (2, 3) or not words[-1].startswith("@"):
        raise ValueError(f"% usage: {word} HOST [INTERFACE] @TIME")
    interface = interface_name(words[1]) if len(words) == 3 else None
    if len(words) == 3 and interface is None:
        raise ValueError(f"% Invalid interface {words[1]}")
    return LinkEvent(words[0], interface, word == "up", parse_duration(words[-1][1:]), where)


def _nat(words: list[str]) -> NatHint:
    usage = "% usage: nat NAME inside A.B.C.D/LEN outside A.B.C.D/LEN [gateway A.B.C.D]"
    if len(words) not in (5, 7) or words[1] != "inside" or words[3] != "outside":
        raise ValueError(usage)
    gateway = None
    if len(words) == 7:
        if words[5] != "gateway":
            raise ValueError(usage)
        gateway = IPv4Address(_checked(IPv4Address, words[6]))
    inside, outside = _checked(IPv4Interface, words[2]), _checked(IPv4Interface, words[4])
    return NatHint(words[0], inside, outside, gateway)


def _checked(kind: Callable[[str], _T], text: str) -> _T:
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"% Invalid address {text}") from None
