"""The system resolver's answers for FlexVPN clients' `peer N fqdn NAME` on `pyike run`, for
names no `ip host` line gives (those are answered first, from the configuration).

Lookups run in the event loop's executor thread (`loop.getaddrinfo`), never blocking the loop;
the client's choice is synchronous, so it takes the last answer: every name is looked up once
before the clients first connect, and a `dynamic` peer's name again each time the client
connects to it (the answer serves from the next connection on)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from ipaddress import ip_address

from pyike.config.flexvpn_model import FlexClient
from pyike.host.flexvpn_client import Address, ip_host

LOOKUP_SECONDS = 10.0  # a name the resolver has not answered by then counts as unresolved

Hosts = Mapping[str, Sequence[Address]]  # `ip host` / `ipv6 host`
Name = tuple[str, bool]  # (the name, whether an IPv6 address is wanted)


class SystemNames:
    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.answers: dict[Name, Address] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def get(self, name: str, ipv6: bool) -> Address | None:
        return self.answers.get((name.lower().rstrip("."), ipv6))

    async def resolve_all(
        self, loop: asyncio.AbstractEventLoop, clients: Iterable[FlexClient], hosts: Hosts
    ) -> None:
        """Every name the clients' peers have that `ip host` does not give, looked up at once."""
        self._loop = loop
        names = {
            (str(p.fqdn).lower().rstrip("."), p.ipv6)
            for c in clients
            for p in c.peers
            if p.fqdn is not None
        }
        wanted = [n for n in names if ip_host(hosts, n[0], n[1]) is None]
        await asyncio.gather(*(self._look_up(n) for n in wanted))

    def refresh(self, name: str, ipv6: bool) -> None:
        """Look `name` up again in the background (a `dynamic` peer)."""
        if self._loop is None:
            return
        task = self._loop.create_task(self._look_up((name.lower().rstrip("."), ipv6)))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _look_up(self, name: Name) -> None:
        assert self._loop is not None
        host, ipv6 = name
        family = socket.AF_INET6 if ipv6 else socket.AF_INET
        try:
            found = await asyncio.wait_for(
                self._loop.getaddrinfo(host, None, family=family, type=socket.SOCK_DGRAM),
                LOOKUP_SECONDS,
            )
        except (OSError, TimeoutError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "no answer"
            self.log(f"%PYIKE-4-FLEXVPN_NAME: {host} does not resolve ({reason})")
            self.answers.pop(name, None)
            return
        address = ip_address(found[0][4][0])
        self.answers[name] = address

    def cancel(self) -> None:
        for task in self._pending:
            task.cancel()


__all__ = ["LOOKUP_SECONDS", "SystemNames"]
