"""The exec commands of a simulated router, and the dispatcher that runs them.

    shell = ExecShell(router)
    job = shell.run("sh ip int br")       # finished at once
    job = shell.run("ping 192.168.2.1")   # runs on the router's clock
    text = run_command(router, clock, "ping 192.168.2.1 source lo0 repeat 10")

More commands (the crypto ones) are added with `shell.tree.register(...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Protocol

from pyike.node.exec import (
    running_config,
    show_arp,
    show_interfaces,
    show_ip_cef,
    show_ip_route,
    show_vrf,
    terminal,
)
from pyike.node.exec.filters import run_line
from pyike.node.exec.job import ExecJob, TextResult
from pyike.node.exec.parser import (
    CommandTree,
    ExecFailure,
    IncompleteCommand,
    InvalidInput,
    Token,
    an_address,
    interface_arg,
    ipv4_arg,
    match_keyword,
    prefix_arg,
)
from pyike.node.exec.ping import PingJob, PingOptions
from pyike.node.exec.show_ip_interface import IpInterface, ip_interface_lines
from pyike.node.exec.traceroute import TracerouteJob, TracerouteOptions
from pyike.node.router import Router
from pyike.node.routing import RouteCode, RouteEntry, RoutingTable

UNRECOGNIZED_HOST = "% Unrecognized host or address, or protocol not running."
NETWORK_NOT_IN_TABLE = "% Network not in table"
SUBNET_NOT_IN_TABLE = "% Subnet not in table"
BAD_SOURCE_ADDRESS = "% Invalid source address- IP address not on any of our up interfaces"
BAD_SOURCE_INTERFACE = "% Invalid source interface - IP not enabled or interface is down"


def no_such_vrf(name: str) -> str:
    return f"% VRF {name} does not exist"


def no_such_table(name: str) -> str:
    return f"% IP routing table vrf {name} does not exist"


PING_OPTIONS = ("df-bit", "repeat", "size", "source", "timeout")
TRACE_OPTIONS = ("numeric", "probe", "source", "timeout", "ttl")
# The options that take a number: the range IOS accepts.
_PING_NUMBERS = {"repeat": (1, 2147483647), "size": (36, 18024), "timeout": (0, 3600)}
_TRACE_NUMBERS = {"probe": (1, 65535), "timeout": (0, 3600)}


class ExecShell:
    def __init__(self, router: Router) -> None:
        self.router = router
        self._line = ""
        self.tree = CommandTree()
        t = self.tree
        t.register("ping", self._ping, takes_args=True)
        t.register("traceroute", self._traceroute, takes_args=True)
        t.register("show ip route", self._show_ip_route, takes_args=True)
        t.register("show ip cef", self._show_ip_cef, takes_args=True)
        show_arp.register(
            t,
            lambda: show_arp.lab_rows(router.interfaces.values(), router.clock.now),
            lambda: router.vrfs,
            lambda: router.interfaces,
        )
        t.register("clear arp-cache", self._clear_arp_cache)
        t.register("show ip vrf", self._show_ip_vrf)
        t.register("show vrf", self._show_vrf)
        t.register("show ip interface", self._show_ip_interface, takes_args=True)
        t.register("show ip interface brief", self._show_ip_interface_brief)
        t.register("show interfaces", self._show_interfaces, takes_args=True)
        t.register(
            "show interfaces description",
            lambda args: TextResult(show_interfaces.descriptions(self.router)),
        )
        running_config.register(t, lambda: self.router.config)
        terminal.register(t)

    @property
    def prompt(self) -> str:
        return f"{self.router.hostname}#"

    def run(self, line: str) -> ExecJob:
        """Parse and start `line` (with its `| include ...` output filter, if any); errors
        come back as finished text, as IOS prints them."""
        self._line = line
        return run_line(self.tree, line, self.prompt)

    # -- arguments ---------------------------------------------------------------------------

    def _interface_arg(self, args: Sequence[Token], i: int) -> tuple[str, int]:
        return interface_arg(args, i, self.router.interfaces)

    def _int_arg(self, args: Sequence[Token], i: int, low: int, high: int) -> int:
        if i >= len(args):
            raise IncompleteCommand()
        text = args[i].text
        if not text.isdigit() or not low <= int(text) <= high:
            raise InvalidInput(args[i].start)
        return int(text)

    def _target(self, args: Sequence[Token], ipv6: bool = False) -> IPv4Address | IPv6Address:
        if not args:
            raise IncompleteCommand()
        try:
            target = ip_address(args[0].text)
        except ValueError:
            raise ExecFailure(UNRECOGNIZED_HOST) from None
        if ipv6 and target.version != 6:
            raise ExecFailure(UNRECOGNIZED_HOST)
        if target.version == 6 and not any(i.addresses6 for i in self.router.interfaces.values()):
            raise ExecFailure(UNRECOGNIZED_HOST)  # "protocol not running"
        return target

    def _vrf(self, args: Sequence[Token]) -> tuple[str | None, Sequence[Token]]:
        """`vrf NAME` before a command's arguments: (the VRF, the arguments after it)."""
        if not args or len(args[0].text) < 2 or not "vrf".startswith(args[0].text.lower()):
            return None, args
        if len(args) < 2:
            raise IncompleteCommand()
        name = args[1].text
        if name not in self.router.config.vrfs:
            raise ExecFailure(no_such_vrf(name))
        return name, args[2:]

    def _source(
        self, args: Sequence[Token], i: int, version: int = 4, vrf: str | None = None
    ) -> tuple[IPv4Address | IPv6Address, int]:
        if i >= len(args):
            raise IncompleteCommand()
        try:
            address = ip_address(args[i].text)
        except ValueError:
            name, used = self._interface_arg(args, i)
            iface = self.router.interfaces[name]
            primary = iface.primary if version == 4 else iface.primary6
            if primary is None or not iface.line_up or iface.vrf != vrf:
                raise ExecFailure(BAD_SOURCE_INTERFACE) from None
            return primary.ip, used
        if address.version != version or not self.router.is_local(int(address), vrf):
            raise ExecFailure(BAD_SOURCE_ADDRESS)
        return address, 1

    # -- commands ------------------------------------------------------------------------------

    def _ping(self, args: Sequence[Token]) -> ExecJob:
        vrf, args = self._vrf(args)
        ipv6 = bool(args) and args[0].text.lower() == "ipv6"  # `ping ipv6 ADDR`
        if ipv6:
            args = args[1:]
        target = self._target(args, ipv6)
        number = {"repeat": 5, "size": 100, "timeout": 2}
        df = False
        source: IPv4Address | IPv6Address | None = None
        i = 1
        while i < len(args):
            word = match_keyword(args[i], PING_OPTIONS, self._line)
            if word in _PING_NUMBERS:
                number[word] = self._int_arg(args, i + 1, *_PING_NUMBERS[word])
                i += 2
            elif word == "df-bit":
                df = True
                i += 1
            else:
                source, used = self._source(args, i + 1, target.version, vrf)
                i += 1 + used
        repeat, size, timeout = number["repeat"], number["size"], float(number["timeout"])
        options = PingOptions(target, repeat, size, timeout, source, df, vrf)
        return PingJob(self.router, options).start()

    def _traceroute(self, args: Sequence[Token]) -> ExecJob:
        vrf, args = self._vrf(args)
        target = self._target(args)
        if not isinstance(target, IPv4Address):
            raise ExecFailure(UNRECOGNIZED_HOST)  # IPv6 traceroute is not modelled
        source: IPv4Address | None = None
        number = {"probe": 3, "timeout": 3}
        min_ttl, max_ttl = 1, 30
        i = 1
        while i < len(args):
            word = match_keyword(args[i], TRACE_OPTIONS, self._line)
            if word in _TRACE_NUMBERS:
                number[word] = self._int_arg(args, i + 1, *_TRACE_NUMBERS[word])
                i += 2
            elif word == "numeric":  # the lab resolves no names: hops are numbers anyway
                i += 1
            elif word == "source":
                address, used = self._source(args, i + 1, vrf=vrf)
                assert isinstance(address, IPv4Address)
                source = address
                i += 1 + used
            else:
                min_ttl = self._int_arg(args, i + 1, 1, 255)
                max_ttl = self._int_arg(args, i + 2, min_ttl, 255)
                i += 3
        probes, timeout = number["probe"], float(number["timeout"])
        options = TracerouteOptions(target, source, probes, timeout, min_ttl, max_ttl, vrf)
        return TracerouteJob(self.router, options).start()

    def _show_ip_route(self, args: Sequence[Token]) -> ExecJob:
        """`show ip route [vrf NAME] [connected|static|ADDRESS [MASK]]`."""
        vrf: str | None = None
        if (
            args
            and not an_address(args[0])
            and match_keyword(args[0], ("connected", "static", "vrf"), self._line) == "vrf"
        ):
            if len(args) < 2:
                raise IncompleteCommand()
            vrf, args = args[1].text, args[2:]
            if vrf not in self.router.vrfs:
                raise ExecFailure(no_such_table(vrf))
        table = self.router.tables[vrf]
        head = "" if vrf is None else f"\nRouting Table: {vrf}\n"
        now = self.router.clock.now
        if not args:
            return TextResult(head + show_ip_route.render(table, now=now))
        if an_address(args[0]):
            return TextResult(head + show_ip_route.entry_detail(_route_asked(table, args)))
        word = match_keyword(args[0], ("connected", "static"), self._line)
        if len(args) > 1:
            raise InvalidInput(args[1].start)
        code = RouteCode.STATIC if word == "static" else RouteCode.CONNECTED
        codes = {code} if code is RouteCode.STATIC else {RouteCode.CONNECTED, RouteCode.LOCAL}
        chosen = (e for e in table if e.code in codes)
        return TextResult(head + show_ip_route.render(table, chosen, now))

    def _show_ip_cef(self, args: Sequence[Token]) -> ExecJob:
        """`show ip cef [vrf NAME] [ADDRESS [MASK]]`: the whole table, or the entry an
        address is forwarded by (with a mask, that prefix's entry, if the table has it)."""
        vrf: str | None = None
        if args and not an_address(args[0]):
            match_keyword(args[0], ("vrf",), self._line)
            if len(args) < 2:
                raise IncompleteCommand()
            vrf, args = args[1].text, args[2:]
            if vrf not in self.router.vrfs:
                raise ExecFailure(no_such_table(vrf))
        interfaces = (i for i in self.router.interfaces.values() if i.vrf == vrf)
        entries = show_ip_cef.cef_entries(self.router.tables[vrf], show_arp.resolved(interfaces))
        if not args:
            return TextResult(show_ip_cef.render(entries))
        address = ipv4_arg(args[0])
        if len(args) == 1:
            return TextResult(show_ip_cef.render_entry(show_ip_cef.lookup(entries, address)))
        if len(args) > 2:
            raise InvalidInput(args[2].start)
        prefix = prefix_arg(address, args[1])
        chosen = [e for e in entries if e.prefix == prefix]
        return TextResult(show_ip_cef.render_entry(chosen[0]) if chosen else "")

    def _clear_arp_cache(self, args: Sequence[Token]) -> ExecJob:
        """`clear arp-cache`: every learnt entry goes; the next packet asks again."""
        for iface in self.router.interfaces.values():
            iface.arp.clear()
        return TextResult("")

    def _show_ip_vrf(self, args: Sequence[Token]) -> ExecJob:
        return TextResult(show_vrf.ip_vrf(self.router))

    def _show_vrf(self, args: Sequence[Token]) -> ExecJob:
        return TextResult(show_vrf.vrf_table(self.router))

    def _show_ip_interface_brief(self, args: Sequence[Token]) -> ExecJob:
        return TextResult(show_interfaces.brief(self.router))

    def _show_ip_interface(self, args: Sequence[Token]) -> ExecJob:
        names = list(self.router.interfaces)
        if args:
            name, used = self._interface_arg(args, 0)
            if len(args) > used:
                raise InvalidInput(args[used].start)
            names = [name]
        lines = [line for name in names for line in ip_interface_lines(self._ip_interface(name))]
        return TextResult("\n".join(lines) + "\n")

    def _ip_interface(self, name: str) -> IpInterface:
        router = self.router
        iface = router.interfaces[name]
        config = iface.config
        lender = None
        if config.unnumbered is not None:
            lent = router.interfaces.get(config.unnumbered)
            primary = lent.primary if lent is not None else None
            lender = (config.unnumbered, primary.ip if primary is not None else None)
        return IpInterface(
            name,
            iface.status,
            iface.protocol,
            tuple(iface.addresses),
            lender,
            show_interfaces.address_method(config, bool(iface.addresses)),
            router.ip_mtu(name),
            iface.vrf,
        )

    def _show_interfaces(self, args: Sequence[Token]) -> ExecJob:
        if not args:
            return TextResult(show_interfaces.interfaces(self.router))
        name, used = self._interface_arg(args, 0)
        if len(args) > used:
            raise InvalidInput(args[used].start)
        return TextResult(show_interfaces.interfaces(self.router, name))


def _route_asked(table: RoutingTable, args: Sequence[Token]) -> RouteEntry:
    """The route `show ip route ADDRESS [MASK]` shows: with a mask, that prefix's; without,
    the longest match, which IOS never takes to be the default route of another address."""
    address = ipv4_arg(args[0])
    if len(args) == 1:
        entry = table.lookup(int(address))
        if entry is None or (entry.is_default and int(address) != 0):
            raise ExecFailure(NETWORK_NOT_IN_TABLE)
        return entry
    prefix = prefix_arg(address, args[1])
    if len(args) > 2:
        raise InvalidInput(args[2].start)
    found = table.exact(prefix)
    if found is None:
        raise ExecFailure(SUBNET_NOT_IN_TABLE)
    return found


class ClockRunner(Protocol):
    """What `run_command` needs of a clock (`pyike.sim.clock.VirtualClock` has it)."""

    def run_while(self, condition: Callable[[], bool], timeout: float) -> bool: ...


def run_command(router: Router, clock: ClockRunner, line: str, timeout: float = 86400.0) -> str:
    """Run one exec command to completion on the virtual clock and return its output."""
    job = ExecShell(router).run(line)
    clock.run_while(lambda: not job.done, timeout)
    return job.text
