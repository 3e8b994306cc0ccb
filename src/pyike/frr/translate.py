"""A router's IOS routing configuration (`router bgp|ospf|eigrp` and the interface lines they
use) as FRRouting's: one configuration file per FRR daemon.

FRR reads IOS's routing commands nearly as IOS writes them; what differs is translated here,
everything else passes as written (FRR's refusals are mapped back to the IOS line that gave
them, through each line's `origin`):

- interface names become the Linux devices that play them (`Tunnel0` -> `tun-Tunnel0`,
  `GigabitEthernet0/0` -> the veth end); every loopback is `lo`, so where FRR takes an address
  beside an interface, a loopback's address says which one is meant;
- BGP: `no bgp ebgp-requires-policy` (IOS exchanges eBGP routes without a policy);
  `network A [mask M]` -> `network A/LEN` (classful without a mask); `address-family ipv4`
  -> `address-family ipv4 unicast`; `update-source Loopback0` -> the loopback's address;
- OSPF: `router ospf 1` -> `router ospf` (FRR runs one process); `router-id` -> `ospf
  router-id`; `network A WILDCARD area X` -> `ip ospf area X ADDRESS` on each interface address
  it covers (the most specific statement wins), since FRR refuses `network` beside the
  interface form IOS also allows; `ip ospf 1 area X` -> `ip ospf area X`;
  `passive-interface IF` -> `ip ospf passive` on IF;
- EIGRP: `network A [WILDCARD]` -> `network A/LEN`; named mode (`router eigrp NAME`,
  `address-family ipv4 autonomous-system N`, `af-interface`, `topology base`) -> classic
  `router eigrp N`; `ip hello-interval|hold-time eigrp AS N` -> without the AS;
- `redistribute static` -> `redistribute kernel` (IOS's static routes are kernel routes here),
  `redistribute ospf 1|eigrp 100|bgp 65000` without the process, `subnets` dropped (FRR always
  redistributes subnets); `no auto-summary` and `no synchronization` (IOS 15's defaults, and
  FRR's only behaviour) dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network

from pyike.config.lexer import tokenize
from pyike.config.model import AclAddress, Config, UnmodelledBlock
from pyike.config.params import interface_name
from pyike.config.parser import masked_tokens

DAEMONS = {"bgp": "bgpd", "ospf": "ospfd", "eigrp": "eigrpd"}
LOOPBACK_DEVICE = "lo"
_DROPPED = {"no auto-summary", "no synchronization", "no passive-interface default"}
# IOS's administrative distances of what the daemons learn first: eBGP, internal EIGRP, OSPF.
_DISTANCES = {"bgpd": 20, "eigrpd": 90, "ospfd": 110}
_WITH_PROCESS = {"ospf", "eigrp", "bgp"}  # `redistribute ospf 1`: FRR takes no process number
_OSPF_MATCH_WORDS = {"internal", "external", "nssa-external", "1", "2"}
_LOOPBACK_ADDRESSED = {"area", "cost", "passive"}  # `ip ospf cost 5 ADDRESS` on lo
# Where IOS may put an encryption type before an OSPF key: `ip ospf authentication-key [0|7]
# KEY`, `ip ospf message-digest-key N md5 [0|7] KEY`.
_KEY_AT = {"authentication-key": 3, "message-digest-key": 5}


@dataclass(frozen=True)
class FrrLine:
    text: str
    origin: str  # the IOS line it comes from, keys masked, for messages


@dataclass(frozen=True)
class DaemonConfig:
    daemon: str  # "zebra", "bgpd", "ospfd", "eigrpd"
    lines: tuple[FrrLine, ...]

    @property
    def text(self) -> str:
        return "".join(f"{line.text}\n" for line in self.lines)

    def origin(self, number: int) -> str | None:
        """The IOS line behind line `number` (1-based) of this daemon's file."""
        return self.lines[number - 1].origin if 0 < number <= len(self.lines) else None


@dataclass(frozen=True)
class LateCommand:
    """A line FRR takes only once its daemon knows the interface it names (eigrpd 8.4 refuses
    `passive-interface` in its start-up file): typed through vtysh in `context`."""

    daemon: str
    context: str  # `router eigrp 100`
    line: FrrLine


@dataclass(frozen=True)
class FrrSetup:
    protocols: tuple[str, ...]  # the IOS blocks FRR runs: `router bgp 65000`
    daemons: tuple[DaemonConfig, ...]  # zebra first
    notes: tuple[str, ...] = ()  # IOS lines not passed to FRR, and why
    late: tuple[LateCommand, ...] = ()

    def daemon(self, name: str) -> DaemonConfig | None:
        return next((d for d in self.daemons if d.daemon == name), None)


def routing_blocks(config: Config) -> list[UnmodelledBlock]:
    """The configuration's dynamic routing processes (`router bgp 65000`, ...)."""
    return [block for block in config.unmodelled if block.keyword.startswith("router ")]


def routing_protocols(config: Config) -> list[str]:
    """Their IOS names, each once: `router bgp`, `router ospf`."""
    return sorted({block.keyword for block in routing_blocks(config)})


def translate(config: Config, devices: Mapping[str, str]) -> FrrSetup | None:
    """FRR's configuration for `config`'s routing processes, None when it has none.
    `devices` maps IOS interface names to the Linux devices that play them (loopbacks to
    `lo`); lines naming an interface that has no device are left out with a note."""
    blocks = routing_blocks(config)
    if not blocks:
        return None
    out = _Builder(config, devices)
    for block in blocks:
        kind = block.keyword.split()[1]
        if kind == "bgp":
            _bgp(out, block)
        elif kind == "ospf":
            _ospf(out, block)
        elif kind == "eigrp":
            _eigrp(out, block)
        else:
            out.note(block.lines[0], "not run: pyike runs BGP, OSPF and EIGRP in FRR")
    _interface_lines(out)
    _floating_statics(out)
    return out.setup()


def _floating_statics(out: _Builder) -> None:
    """IOS prefers a routing protocol's route to a static one of a greater distance; here
    every static route is the kernel's own, which FRR never overrides."""
    distances = [_DISTANCES[d] for d in out.routers if d in _DISTANCES]
    if not distances:
        return
    for route in out.config.routes:
        if route.distance is not None and route.distance > min(distances) and not route.vrf:
            out.notes.append(
                f"{out.config.hostname}: the static route to {route.prefix} (distance "
                f"{route.distance}) is not floated: the kernel holds it ahead of FRR's routes"
            )


# --- building ---------------------------------------------------------------------------------


def _origin(line: str) -> str:
    return " ".join(masked_tokens(tokenize(line.strip())))


@dataclass
class _Builder:
    config: Config
    devices: Mapping[str, str]
    routers: dict[str, list[FrrLine]] = field(default_factory=dict)  # by daemon
    interfaces: dict[str, dict[str, list[FrrLine]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    protocols: list[str] = field(default_factory=list)
    late: list[LateCommand] = field(default_factory=list)
    eigrp_as: str | None = None

    def add(self, daemon: str, text: str, line: str) -> None:
        self.routers.setdefault(daemon, []).append(FrrLine(text, _origin(line)))

    def add_to_interface(self, daemon: str, device: str, text: str, line: str) -> None:
        sections = self.interfaces.setdefault(daemon, {})
        sections.setdefault(device, []).append(FrrLine(f" {text}", _origin(line)))

    def add_late(self, daemon: str, text: str, line: str) -> None:
        context = self.routers[daemon][0].text
        self.late.append(LateCommand(daemon, context, FrrLine(text, _origin(line))))

    def note(self, line: str, why: str) -> None:
        self.notes.append(f"{self.config.hostname}: `{_origin(line)}` {why}")

    def runs(self, daemon: str) -> bool:
        return daemon in self.routers

    def start(self, daemon: str, text: str, block: UnmodelledBlock) -> None:
        """The router section of `block`'s process, named as IOS spells it out."""
        self.protocols.append(" ".join([block.keyword, *block.lines[0].split()[2:]]))
        self.add(daemon, text, block.lines[0])

    def device(self, words: list[str], line: str) -> str | None:
        """The device of the interface named by `words` (`Tunnel0` or `Tunnel 0`)."""
        name = interface_name("".join(words))
        device = self.devices.get(name) if name is not None else None
        if device is None:
            self.note(line, f"names {''.join(words)}, which has no device in this lab: left out")
        return device

    def loopback_address(self, words: list[str]) -> IPv4Address | None:
        name = interface_name("".join(words))
        iface = self.config.interfaces.get(name) if name is not None else None
        if iface is None or self.devices.get(iface.name) != LOOPBACK_DEVICE:
            return None
        return iface.primary_address

    def setup(self) -> FrrSetup:
        header = FrrLine(f"hostname {self.config.hostname}", "hostname")
        daemons = [DaemonConfig("zebra", (header,))]
        for daemon, lines in self.routers.items():
            body = [header]
            for device, section in self.interfaces.get(daemon, {}).items():
                body += [FrrLine(f"interface {device}", section[0].origin), *section]
            daemons.append(DaemonConfig(daemon, (*body, *lines)))
        return FrrSetup(tuple(self.protocols), tuple(daemons), tuple(self.notes), tuple(self.late))


def _lines(block: UnmodelledBlock) -> Iterator[tuple[str, list[str]]]:
    """The block's sub-lines (not its first), each with its words, the keywords acted on
    spelled out; `!` lines skipped."""
    for line in block.lines[1:]:
        words = line.split()
        if words and not words[0].startswith("!"):
            yield line, _spelled_out(words)


# The keywords acted on, which IOS lets a configuration abbreviate (`router eig 1`, `net ...`,
# `address-family ipv4 unicast as 1`): by command, and by position after the command.
_COMMANDS = (
    "network", "passive-interface", "redistribute", "router-id", "neighbor", "eigrp",
    "address-family", "exit-address-family", "af-interface", "exit-af-interface", "topology",
    "exit-af-topology", "auto-summary", "synchronization", "hello-interval", "hold-time",
)  # fmt: skip
_ARGUMENTS: dict[str, dict[int, tuple[str, ...]]] = {
    "neighbor": {2: ("remote-as", "update-source", "password", "activate")},
    "network": {2: ("mask",), 3: ("area",)},
    "passive-interface": {1: ("default",)},
    "redistribute": {1: ("static", "connected", "ospf", "eigrp", "bgp", "rip", "isis")},
    "eigrp": {1: ("router-id",)},
    "address-family": {
        1: ("ipv4", "ipv6"),
        2: ("unicast", "multicast", "vrf", "autonomous-system"),
        3: ("autonomous-system",),
    },
}


_ALIASES = {"as": "autonomous-system"}  # `address-family ipv4 unicast as 1`, as IOS takes it


def _expand(word: str, choices: tuple[str, ...]) -> str:
    typed = _ALIASES.get(word.lower(), word.lower())
    found = [choice for choice in choices if choice.startswith(typed)]
    return found[0] if len(found) == 1 else word


def _spelled_out(words: list[str]) -> list[str]:
    words = list(words)
    at = 1 if words[0] == "no" and len(words) > 1 else 0
    words[at] = _expand(words[at], _COMMANDS)
    for offset, choices in _ARGUMENTS.get(words[at], {}).items():
        if at + offset < len(words):
            words[at + offset] = _expand(words[at + offset], choices)
    return words


# --- translations shared by the protocols -------------------------------------------------------


def classful(address: IPv4Address) -> IPv4Network:
    """`network 10.0.0.0` without a mask: the address's class decides its length."""
    first = int(address) >> 24
    length = 8 if first < 128 else 16 if first < 192 else 24
    return IPv4Network(f"{address}/{length}", strict=False)


def _prefix(address: str, mask: str | None, *, wildcard: bool) -> IPv4Network | None:
    """`A MASK` or `A WILDCARD` as a prefix; classful without either; None when it is not
    one (a non-contiguous wildcard, a typo IOS would not have taken)."""
    try:
        if mask is None:
            return classful(IPv4Address(address))
        if wildcard:  # IOS also takes a mask where a wildcard goes, and turns it around
            as_wildcard = AclAddress(IPv4Address(address), IPv4Address(mask)).network()
            return as_wildcard or IPv4Network(f"{address}/{mask}", strict=False)
        return IPv4Network(f"{address}/{mask}", strict=False)
    except ValueError:
        return None


def _redistribute(words: list[str]) -> str:
    """`redistribute static subnets metric 10` -> `redistribute kernel metric 10`."""
    protocol, rest = words[1], words[2:]
    if protocol == "static":
        protocol = "kernel"
    if protocol in _WITH_PROCESS and rest and rest[0].isdigit():
        rest = rest[1:]
    kept: list[str] = []
    matching = False
    for word in rest:
        matching = word == "match" or (matching and word in _OSPF_MATCH_WORDS)
        if not matching and word != "subnets":
            kept.append(word)
    return " ".join(["redistribute", protocol, *kept])


# --- BGP ----------------------------------------------------------------------------------------


def _bgp(out: _Builder, block: UnmodelledBlock) -> None:
    if out.runs("bgpd"):
        out.note(block.lines[0], "not run: FRR runs one BGP process here")
        return
    out.start("bgpd", " ".join(["router bgp", *block.lines[0].split()[2:]]), block)
    out.add("bgpd", " no bgp ebgp-requires-policy", block.lines[0])
    family: str | None = None  # the address family being read; "" when left out
    for line, words in _lines(block):
        if words[0] == "address-family":
            family = _bgp_family(words[1:])
            if family:
                out.add("bgpd", f" address-family {family}", line)
            else:
                out.note(line, "not run: a VRF or address family FRR does not run here")
            continue
        if words[0] in ("exit-address-family", "exit"):
            if family:
                out.add("bgpd", " exit-address-family", line)
            family = None
            continue
        if family == "":
            continue
        text = _bgp_line(out, line, words)
        if text is not None:
            out.add("bgpd", ("  " if family else " ") + text, line)


def _bgp_family(words: list[str]) -> str:
    """FRR's name of an IOS address family, "" for one FRR does not run here (VRFs)."""
    if "vrf" in words or not words:
        return ""
    afi = words[0]
    safi = words[1] if len(words) > 1 else "unicast"
    return f"{afi} {safi}" if afi in ("ipv4", "ipv6") else ""


def _bgp_line(out: _Builder, line: str, words: list[str]) -> str | None:
    joined = " ".join(words)
    if joined in _DROPPED:
        return None
    if words[0] == "auto-summary":
        out.note(line, "left out: FRR does not summarise to classful networks")
        return None
    if words[0] == "network" and len(words) >= 2 and "/" not in words[1]:
        masked = len(words) >= 4 and words[2] == "mask"
        prefix = _prefix(words[1], words[3] if masked else None, wildcard=False)
        if prefix is None:
            return joined
        return " ".join(["network", str(prefix), *words[4 if masked else 2 :]])
    if words[0] == "redistribute" and len(words) >= 2:
        return _redistribute(words)
    if words[0] == "neighbor" and len(words) >= 4 and words[2] == "update-source":
        address = out.loopback_address(words[3:])
        if address is not None:
            return f"neighbor {words[1]} update-source {address}"
        device = out.device(words[3:], line)
        return None if device is None else f"neighbor {words[1]} update-source {device}"
    if words[0] == "neighbor" and len(words) >= 4 and words[2] == "password":
        return _clear_key(out, line, words, 3)
    return joined


def _clear_key(out: _Builder, line: str, words: list[str], at: int) -> str | None:
    """A key as FRR takes it: in clear, without IOS's encryption type 0 before it; a type 7
    key (IOS's obfuscated form) is left out with a note."""
    if words[at : at + 1] == ["7"]:
        out.note(line, "left out: FRR takes the key in clear, not in IOS's type 7")
        return None
    return " ".join(words[:at] + words[at + 1 :] if words[at : at + 1] == ["0"] else words)


# --- OSPF ---------------------------------------------------------------------------------------


def _ospf(out: _Builder, block: UnmodelledBlock) -> None:
    first = block.lines[0].split()
    if "vrf" in first:
        out.note(block.lines[0], "not run: pyike run has no VRFs")
        return
    if out.runs("ospfd"):
        out.note(block.lines[0], "not run: FRR runs one OSPF process here")
        return
    out.start("ospfd", "router ospf", block)
    networks: list[tuple[IPv4Network, str, str]] = []  # (prefix, area, IOS line)
    for line, words in _lines(block):
        joined = " ".join(words)
        if joined in _DROPPED:
            continue
        if words[0] == "router-id" and len(words) == 2:
            out.add("ospfd", f" ospf router-id {words[1]}", line)
        elif words[0] == "network" and len(words) == 5 and words[3] == "area":
            prefix = _prefix(words[1], words[2], wildcard=True)
            if prefix is None:
                out.note(line, "left out: FRR takes prefixes, not a non-contiguous wildcard")
            else:
                networks.append((prefix, words[4], line))
        elif words[:2] == ["passive-interface", "default"]:
            out.add("ospfd", " passive-interface default", line)
        elif words[0] == "passive-interface" or words[:2] == ["no", "passive-interface"]:
            _ospf_passive(out, line, words)
        elif words[0] == "redistribute" and len(words) >= 2:
            out.add("ospfd", f" {_redistribute(words)}", line)
        else:
            out.add("ospfd", f" {joined}", line)
    _ospf_areas(out, networks)


def _ospf_passive(out: _Builder, line: str, words: list[str]) -> None:
    negated = words[0] == "no"
    named = words[2:] if negated else words[1:]
    device = out.device(named, line)
    if device is None:
        return
    address = out.loopback_address(named)
    text = ("no " if negated else "") + "ip ospf passive" + (f" {address}" if address else "")
    out.add_to_interface("ospfd", device, text, line)


def _ospf_areas(out: _Builder, networks: list[tuple[IPv4Network, str, str]]) -> None:
    """Each interface address in the area of the most specific `network` covering it."""
    for iface in out.config.interfaces.values():
        device = out.devices.get(iface.name)
        if device is None or iface.shutdown:
            continue
        for address, _ in iface.addresses:
            covering = [n for n in networks if address in n[0]]
            if covering:
                _, area, line = max(covering, key=lambda n: n[0].prefixlen)
                out.add_to_interface("ospfd", device, f"ip ospf area {area} {address}", line)


# --- EIGRP --------------------------------------------------------------------------------------


def _eigrp(out: _Builder, block: UnmodelledBlock) -> None:
    name = block.lines[0].split()[2] if len(block.lines[0].split()) > 2 else ""
    if out.runs("eigrpd"):
        out.note(block.lines[0], "not run: FRR runs one EIGRP process here")
        return
    if name.isdigit():
        out.start("eigrpd", f"router eigrp {name}", block)
        out.eigrp_as = name
        for line, words in _lines(block):
            _eigrp_line(out, line, words)
        return
    _named_eigrp(out, block)


def _eigrp_line(out: _Builder, line: str, words: list[str]) -> None:
    joined = " ".join(words)
    if joined in _DROPPED:
        return
    if words[0] == "auto-summary":
        out.note(line, "left out: FRR does not summarise to classful networks")
    elif words[0] == "network" and 2 <= len(words) <= 3:
        prefix = _prefix(words[1], words[2] if len(words) == 3 else None, wildcard=True)
        if prefix is None:
            out.note(line, "left out: FRR takes prefixes, not a non-contiguous wildcard")
        else:
            out.add("eigrpd", f" network {prefix}", line)
    elif words[0] == "passive-interface" and len(words) > 1:
        device = "default" if words[1:] == ["default"] else out.device(words[1:], line)
        if device is not None:
            out.add_late("eigrpd", f"passive-interface {device}", line)
    elif words[0] == "redistribute" and len(words) >= 2:
        out.add("eigrpd", f" {_redistribute(words)}", line)
    else:
        out.add("eigrpd", f" {joined}", line)


_NAMED_MARKERS = {"topology", "exit-af-topology", "exit-af-interface", "exit-address-family"}


def _named_eigrp(out: _Builder, block: UnmodelledBlock) -> None:
    """`router eigrp NAME` with `address-family ipv4 [unicast] autonomous-system N`: as the
    classic `router eigrp N`; `af-interface IF` lines become the interface's."""
    af_interface: list[str] | None = None  # the words after `af-interface`, inside one
    started = False
    for line, words in _lines(block):
        if words[0] == "address-family":
            if started or words[1:2] != ["ipv4"] or "autonomous-system" not in words:
                out.note(line, "not run: FRR runs one IPv4 EIGRP autonomous system here")
                return
            number = words[words.index("autonomous-system") + 1]
            out.start("eigrpd", f"router eigrp {number}", block)
            out.eigrp_as, started = number, True
        elif not started or words[0] in _NAMED_MARKERS:
            af_interface = None if words[0] == "exit-af-interface" else af_interface
        elif words[0] == "af-interface":
            af_interface = words[1:]
        elif af_interface is not None:
            _af_interface_line(out, af_interface, line, words)
        else:
            _eigrp_line(out, line, words)


def _af_interface_line(out: _Builder, interface: list[str], line: str, words: list[str]) -> None:
    default = interface == ["default"]
    if words == ["passive-interface"]:
        device = "default" if default else out.device(interface, line)
        if device is not None:
            out.add_late("eigrpd", f"passive-interface {device}", line)
    elif words[0] in ("hello-interval", "hold-time") and len(words) == 2 and not default:
        device = out.device(interface, line)
        if device is not None:
            out.add_to_interface("eigrpd", device, f"ip {words[0]} eigrp {words[1]}", line)
    else:
        out.note(line, "left out: pyike passes passive-interface, hello-interval and hold-time")


# --- interface lines ----------------------------------------------------------------------------


def _interface_lines(out: _Builder) -> None:
    """The routing lines of the interfaces (`ip ospf ...`, `ip hello-interval eigrp ...`) for
    the daemons that run."""
    for iface in out.config.interfaces.values():
        device = out.devices.get(iface.name)
        if device is None:
            continue
        for extra in iface.extra:
            words = extra.split()
            if words[:2] == ["ip", "ospf"] and out.runs("ospfd") and len(words) > 2:
                loopback = out.loopback_address([iface.name])
                if loopback is not None and words[2] == "network":
                    why = "left out: FRR advertises a loopback as a host route (/32)"
                    out.note(extra, f"on {iface.name} {why}")
                    continue
                text = _ospf_interface_line(out, extra, words, loopback)
                if text is not None:
                    out.add_to_interface("ospfd", device, text, extra)
            elif _eigrp_timer(words) and out.runs("eigrpd") and words[3] == out.eigrp_as:
                text = f"ip {words[1]} eigrp {words[4]}"
                out.add_to_interface("eigrpd", device, text, extra)


def _ospf_interface_line(
    out: _Builder, line: str, words: list[str], loopback: IPv4Address | None
) -> str | None:
    """`ip ospf 1 area 0` -> `ip ospf area 0`; keys in clear; on a loopback, its address
    where FRR takes one (every loopback is `lo`)."""
    if words[2].isdigit() and words[3:4] == ["area"]:
        words = [*words[:2], *words[3:]]
    if words[2] in _KEY_AT:
        return _clear_key(out, line, words, _KEY_AT[words[2]])
    if loopback is not None and words[2] in _LOOPBACK_ADDRESSED:
        words = [*words, str(loopback)]
    return " ".join(words)


def _eigrp_timer(words: list[str]) -> bool:
    """`ip hello-interval eigrp AS N`, `ip hold-time eigrp AS N`."""
    return (
        len(words) == 5
        and words[0] == "ip"
        and words[1] in ("hello-interval", "hold-time")
        and words[2] == "eigrp"
    )
