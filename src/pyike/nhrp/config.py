"""What NHRP needs to know of one tunnel interface, field by field as IOS configures it.

interface Tunnel0
 ip address 10.0.0.2 255.255.255.0          -> address
 tunnel source GigabitEthernet0/0           -> nbma (that interface's address)
 tunnel key 100                             -> tunnel_key (only for `bytes out` sizes)
 tunnel protection ipsec profile P          -> protected
 ip mtu 1400                                -> mtu
 ip nhrp network-id 1                       -> network_id
 ip nhrp nhs 10.0.0.1 nbma 192.0.2.1 multicast   -> nhs (and a multicast NBMA)
 ip nhrp map 10.0.0.1 192.0.2.1             -> maps
 ip nhrp map multicast 192.0.2.1 | dynamic  -> multicast / multicast_dynamic
 ip nhrp authentication KEY                 -> authentication (a secret)
 ip nhrp holdtime 7200                      -> holdtime
 ip nhrp registration timeout 2400          -> registration_timeout
 ip nhrp registration no-unique             -> unique = False
 ip nhrp redirect [timeout N]               -> redirect, redirect_timeout
 ip nhrp shortcut                           -> shortcut
 ip nhrp max-send 1000 every 10             -> max_send, max_send_interval
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyike.nhrp.codec import IPAddress, IPInterface

DEFAULT_HOLDTIME = 7200  # seconds: IOS's `ip nhrp holdtime` default
DEFAULT_REDIRECT_TIMEOUT = 2  # seconds between Traffic Indications for one source/destination
DEFAULT_MTU = 17916  # what an IOS GRE tunnel without `ip mtu` puts in its CIEs
MAX_AUTHENTICATION = 8  # IOS: "The string can be up to eight characters long"
DEFAULT_MAX_SEND = 100  # IOS 15's `ip nhrp max-send` default: 100 packets ...
DEFAULT_MAX_SEND_INTERVAL = 10  # ... every 10 seconds


@dataclass(frozen=True)
class NhsServer:
    """`ip nhrp nhs ADDRESS [nbma NBMA] [multicast]`: a next hop server to register with."""

    address: IPAddress
    nbma: IPAddress | None = None  # None: from an `ip nhrp map ADDRESS NBMA`
    multicast: bool = False


@dataclass(frozen=True)
class NhrpConfig:
    interface: str
    address: IPInterface
    nbma: IPAddress
    network_id: int
    nhs: tuple[NhsServer, ...] = ()
    maps: tuple[tuple[IPAddress, IPAddress], ...] = ()
    multicast: tuple[IPAddress, ...] = ()
    multicast_dynamic: bool = False
    authentication: str | None = field(default=None, repr=False)
    holdtime: int = DEFAULT_HOLDTIME
    registration_timeout: int | None = None
    unique: bool = True
    redirect: bool = False
    redirect_timeout: int = DEFAULT_REDIRECT_TIMEOUT
    shortcut: bool = False
    protected: bool = False
    tunnel_key: int | None = None
    mtu: int = DEFAULT_MTU
    max_send: int = DEFAULT_MAX_SEND
    max_send_interval: int = DEFAULT_MAX_SEND_INTERVAL

    def __post_init__(self) -> None:
        if not (1 <= self.max_send <= 65535 and 10 <= self.max_send_interval <= 65535):
            raise ValueError("ip nhrp max-send: 1 to 65535 packets every 10 to 65535 seconds")
        if self.authentication is not None and not 0 < len(self.authentication) <= 8:
            raise ValueError("ip nhrp authentication: the string is 1 to 8 characters")
        if not 1 <= self.holdtime <= 65535:
            raise ValueError("ip nhrp holdtime: 1 to 65535 seconds")
        for server in self.nhs:
            if self.nhs_nbma(server) is None:
                raise ValueError(
                    f"has 'ip nhrp nhs {server.address}' without its NBMA address (add 'nbma "
                    f"ADDRESS' or 'ip nhrp map {server.address} ADDRESS')"
                )

    @property
    def own(self) -> IPAddress:
        """The tunnel's own overlay address."""
        return self.address.ip

    @property
    def registration_interval(self) -> int:
        """Seconds between registrations: the configured timeout, else a third of the
        hold time (RFC 2332 5.2.3, and IOS's default)."""
        return self.registration_timeout or max(1, self.holdtime // 3)

    @property
    def secret(self) -> bytes | None:
        return None if self.authentication is None else self.authentication.encode()

    def nhs_nbma(self, server: NhsServer) -> IPAddress | None:
        if server.nbma is not None:
            return server.nbma
        return next((nbma for overlay, nbma in self.maps if overlay == server.address), None)

    def static_maps(self) -> list[tuple[IPAddress, IPAddress]]:
        """Every configured overlay -> NBMA binding: the maps and the NHSes'."""
        bindings = dict(self.maps)
        for server in self.nhs:
            nbma = self.nhs_nbma(server)
            if nbma is not None:
                bindings.setdefault(server.address, nbma)
        return list(bindings.items())

    def static_multicast(self) -> list[IPAddress]:
        """Where multicast goes by configuration: `ip nhrp map multicast` NBMAs, then those
        of the NHSes configured with `multicast`."""
        nbmas = list(self.multicast)
        nbmas += [nbma for s in self.nhs if s.multicast and (nbma := self.nhs_nbma(s))]
        return list(dict.fromkeys(nbmas))

    def gre_overhead(self) -> int:
        """Octets the outer IP and GRE headers add to an NHRP packet on this tunnel."""
        outer = 20 if self.nbma.version == 4 else 40
        return outer + 4 + (4 if self.tunnel_key is not None else 0)
