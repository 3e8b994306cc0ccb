"""The questions the IKE engine asks of a configuration, answered the way IOS answers them.

All functions take the `Config` returned by `pyike.config.load` and fill in IOS smart defaults
(see `pyike.config.defaults`) where the configuration is silent.

Lookup orders modelled:
- IKEv2 policy for a local address: a policy naming that address in `match address local` wins
  over one without the statement; within each, a policy for the exact front-door VRF wins over
  `match fvrf any`; remaining ties go to the first configured. The default policy (fvrf any,
  any local address) comes last.
- IKEv2 profile for a remote identity: the first configured profile one of whose
  `match identity remote` statements matches (and whose `match address local` / `match fvrf`,
  if configured, match too). `address 0.0.0.0` (and `::`) without a mask matches any address.
- Keyring peer: a peer whose `identity` equals the remote identity first; then the peer whose
  `address` prefix contains the peer address, longest prefix first (first configured on a tie);
  then a peer whose `hostname` equals the remote FQDN identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import (
    IPv4Address,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
    ip_address,
    ip_network,
)

from pyike.codec.registry import DhId, PrfId, TsType
from pyike.config import defaults
from pyike.config.model import (
    Config,
    CryptoMapEntry,
    Dpd,
    Identity,
    IdentityKind,
    IdentityMatch,
    Interface,
    IPAddress,
    IPNetwork,
    Keyring,
    KeyringPeer,
    Policy,
    Profile,
    Proposal,
    Secret,
    TransformSet,
)
from pyike.crypto import catalogue

# --- IKE_SA_INIT -------------------------------------------------------------------------------


def _fvrf_matches(configured: str | None, fvrf: str | None) -> bool:
    return configured == "any" or configured == fvrf


def select_policy(cfg: Config, local: IPAddress | None, fvrf: str | None = None) -> Policy | None:
    """The IKEv2 policy IOS applies to an SA on local address `local` in front-door VRF `fvrf`
    (None: the global table)."""
    candidates = [p for p in cfg.policies.values() if _fvrf_matches(p.match_fvrf, fvrf)]
    candidates = [p for p in candidates if not p.match_local or local in p.match_local]
    candidates.sort(key=lambda p: (not p.match_local, p.match_fvrf == "any"))
    if candidates:
        return candidates[0]
    if "policy" not in cfg.disabled_defaults and defaults.DEFAULT not in cfg.policies:
        return defaults.DEFAULT_POLICY
    return None


def effective_prf(proposal: Proposal) -> tuple[PrfId, ...]:
    """The configured PRFs, or without `prf` the one IOS pairs with each integrity algorithm."""
    if proposal.prf:
        return proposal.prf
    return catalogue.prfs_paired_with(proposal.integrity)


def proposals_for(
    cfg: Config, local: IPAddress | None, fvrf: str | None = None
) -> tuple[Proposal, ...]:
    """The proposals to offer (as initiator) and accept (as responder), in order, each with its
    PRF list filled in as IOS derives it."""
    policy = select_policy(cfg, local, fvrf)
    if policy is None:
        return ()
    known = defaults.proposals(cfg)
    out = []
    for name in policy.proposals:
        proposal = known.get(name)
        if proposal is not None:
            out.append(
                Proposal(
                    proposal.name,
                    proposal.encryption,
                    () if proposal.is_aead else proposal.integrity,
                    effective_prf(proposal),
                    proposal.groups,
                    proposal.source,
                )
            )
    return tuple(out)


# --- identities, profiles and keys -------------------------------------------------------------


def identity_network(match: IdentityMatch | KeyringPeer) -> IPNetwork | None:
    """The addresses an address match covers; `0.0.0.0`/`::` without a mask covers all."""
    if isinstance(match, KeyringPeer):
        if match.address is None:
            return None
        value, mask = match.address, match.mask
    else:
        if match.kind is not IdentityKind.ADDRESS:
            return None
        value, mask = match.value, match.mask
    if mask is None and value in ("0.0.0.0", "::"):
        return ip_network(f"{value}/0")
    if mask is not None:
        return ip_network(f"{value}/{mask}", strict=False)
    return ip_network(value, strict=False)


def _name_matches(match: IdentityMatch, value: str) -> bool:
    if match.kind is IdentityKind.KEY_ID:
        return value == match.value
    if match.kind is IdentityKind.EMAIL and match.domain:
        return value.rpartition("@")[2].lower() == match.value.lower()
    if match.kind is IdentityKind.FQDN and match.domain:
        v, d = value.lower().rstrip("."), match.value.lower().rstrip(".")
        return v == d or v.endswith("." + d)
    return value.lower() == match.value.lower()


def identity_matches(match: IdentityMatch, identity: Identity) -> bool:
    if match.kind is not identity.kind:
        return False
    if match.kind is IdentityKind.ADDRESS:
        network = identity_network(match)
        try:
            addr = ip_address(identity.value)
        except ValueError:
            return False
        return network is not None and addr.version == network.version and addr in network
    return _name_matches(match, identity.value)


def match_profile(
    cfg: Config, remote: Identity, local: IPAddress | None = None, fvrf: str | None = None
) -> Profile | None:
    """The IKEv2 profile IOS selects for a peer presenting `remote` as its identity."""
    for profile in cfg.profiles.values():
        if profile.match_local and local not in profile.match_local:
            continue
        if profile.match_fvrf is not None and not _fvrf_matches(profile.match_fvrf, fvrf):
            continue
        if profile.match_fvrf is None and fvrf is not None:
            continue
        if any(identity_matches(m, remote) for m in profile.match_identities):
            return profile
    return None


def keyring_peer(
    ring: Keyring, peer: IPAddress | None, remote: Identity | None = None
) -> KeyringPeer | None:
    """The keyring entry IOS uses for this peer (see the module docstring for the order)."""
    ordered = keyring_lookup_order(ring, peer, remote)
    return ordered[0] if ordered else None


def keyring_lookup_order(
    ring: Keyring, peer: IPAddress | None, remote: Identity | None = None
) -> list[KeyringPeer]:
    """Every keyring entry that matches, in the order IOS would consider them."""
    by_identity = [
        p
        for p in ring.peers
        if remote is not None and p.identity and identity_matches(p.identity, remote)
    ]
    by_address: list[tuple[int, int, KeyringPeer]] = []
    if peer is not None:
        for index, p in enumerate(ring.peers):
            network = identity_network(p)
            if network is not None and network.version == peer.version and peer in network:
                by_address.append((-network.prefixlen, index, p))
    by_address.sort(key=lambda t: (t[0], t[1]))
    by_hostname = [
        p
        for p in ring.peers
        if remote is not None
        and remote.kind is IdentityKind.FQDN
        and p.hostname is not None
        and p.hostname.lower() == remote.value.lower()
    ]
    out: list[KeyringPeer] = []
    for p in [*by_identity, *(t[2] for t in by_address), *by_hostname]:
        if p not in out:
            out.append(p)
    return out


# Certificate-based methods IOS offers; pyike has no certificates yet, so it can neither sign
# with them nor verify a peer's signature.
SIGNATURE_METHODS = ("rsa-sig", "ecdsa-sig")


def auth_blocker(profile: Profile) -> str | None:
    """Why no peer can authenticate through ``profile`` in pyike, or None when a peer with a
    pre-shared key can. A profile demanding a signature is never satisfied with a PSK."""
    local = next((m for m in profile.auth_local if m in SIGNATURE_METHODS), None)
    if local is not None:
        return f"signs with 'authentication local {local}' (certificates are not supported yet)"
    remote = [m for m in profile.auth_remote if m in SIGNATURE_METHODS]
    if remote and "pre-share" not in profile.auth_remote:
        return (
            f"requires 'authentication remote {remote[0]}' of the peer (certificates are not "
            "supported yet) and refuses a pre-shared key"
        )
    return None


@dataclass(frozen=True)
class PskChoice:
    """The keys for one peer: sign our AUTH with `local`, verify the peer's with `remote`.

    `origin` names where each came from (never the key itself): "profile IKEV2-SETUP" or
    "keyring KEYRNG peer peer1".
    """

    local: Secret | None
    remote: Secret | None
    local_origin: str | None
    remote_origin: str | None


def psk_for_peer(
    cfg: Config, profile: Profile, peer: IPAddress | None, remote: Identity | None = None
) -> PskChoice:
    entry = None
    ring = cfg.keyrings.get(profile.keyring) if profile.keyring else None
    if ring is not None:
        entry = keyring_peer(ring, peer, remote)
    where = f"keyring {ring.name} peer {entry.name}" if ring and entry else None
    local, local_origin = entry.local_key if entry else None, where
    remote_key, remote_origin = entry.remote_key if entry else None, where
    if profile.auth_local_key is not None:
        local, local_origin = profile.auth_local_key, f"profile {profile.name}"
    if profile.auth_remote_key is not None:
        remote_key, remote_origin = profile.auth_remote_key, f"profile {profile.name}"
    return PskChoice(
        local,
        remote_key,
        local_origin if local else None,
        remote_origin if remote_key else None,
    )


def signing_key(
    cfg: Config, profile: Profile, peer: IPAddress | None, remote: Identity | None = None
) -> Secret | None:
    """The PSK our AUTH payload is computed with."""
    return psk_for_peer(cfg, profile, peer, remote).local


def verification_key(
    cfg: Config, profile: Profile, peer: IPAddress | None, remote: Identity | None = None
) -> Secret | None:
    """The PSK the peer's AUTH payload is checked against."""
    return psk_for_peer(cfg, profile, peer, remote).remote


# --- IKE SA settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IkeSaSettings:
    lifetime: int
    dpd: Dpd | None
    nat_keepalive: int | None
    window: int
    fragmentation_mtu: int | None
    cookie_challenge: int | None
    max_in_negotiation_in: int | None  # None: no limit (pyike does not enforce IOS's default)
    max_in_negotiation_out: int | None


def ike_sa_settings(cfg: Config, profile: Profile | None) -> IkeSaSettings:
    g = cfg.ikev2
    return IkeSaSettings(
        lifetime=(profile.lifetime if profile and profile.lifetime else defaults.IKE_SA_LIFETIME),
        dpd=(profile.dpd if profile and profile.dpd else g.dpd),
        nat_keepalive=(
            profile.nat_keepalive if profile and profile.nat_keepalive else g.nat_keepalive
        ),
        window=g.window or defaults.WINDOW,
        fragmentation_mtu=(g.fragmentation_mtu or 576) if g.fragmentation else None,
        cookie_challenge=g.cookie_challenge,
        max_in_negotiation_in=g.max_in_negotiation_in,
        max_in_negotiation_out=g.max_in_negotiation_out,
    )


# --- Child SAs: tunnels and crypto map entries -------------------------------------------------


@dataclass(frozen=True)
class TrafficSelector:
    """One side of a traffic selector pair, as IKEv2 carries it (RFC 7296 section 3.13.1)."""

    protocol: int
    start: IPAddress
    end: IPAddress
    start_port: int = 0
    end_port: int = 65535

    @property
    def ts_type(self) -> TsType:
        return TsType.TS_IPV4_ADDR_RANGE if self.start.version == 4 else TsType.TS_IPV6_ADDR_RANGE

    @classmethod
    def of(
        cls, network: IPNetwork, protocol: int = 0, ports: tuple[int, int] = (0, 65535)
    ) -> TrafficSelector:
        return cls(protocol, network[0], network[-1], ports[0], ports[1])


@dataclass(frozen=True)
class ChildSaPolicy:
    """What to negotiate for one tunnel interface or crypto map entry."""

    name: str  # "Tunnel0" or "crypto map CMAP 10"
    local: IPAddress | None
    peers: tuple[IPAddress, ...]
    ikev2_profile: Profile | None
    transform_sets: tuple[TransformSet, ...]
    pfs: DhId | None
    lifetime_seconds: int
    lifetime_kilobytes: int
    replay_window: int
    selectors: tuple[tuple[TrafficSelector, TrafficSelector], ...]  # (local, remote) pairs
    ipsec_profile: str | None = None


def interface_address(cfg: Config, name: str, version: int = 4) -> IPAddress | None:
    iface = cfg.interfaces.get(name)
    if iface is None:
        return None
    if version == 4:
        return iface.primary_address
    return IPv6Interface(iface.ipv6_addresses[0]).ip if iface.ipv6_addresses else None


def _address_of(cfg: Config, value: str | None, version: int) -> IPAddress | None:
    if value is None:
        return None
    try:
        return ip_address(value)
    except ValueError:
        return interface_address(cfg, value, version)


def tunnel_endpoints(cfg: Config, tunnel: Interface) -> tuple[IPAddress | None, IPAddress | None]:
    """(local, remote) outer addresses of a tunnel; None where unknown (hostname destination)."""
    version = 6 if tunnel.tunnel_mode and tunnel.tunnel_mode.endswith("ipv6") else 4
    remote = None
    if tunnel.tunnel_destination is not None:
        try:
            remote = ip_address(tunnel.tunnel_destination)
        except ValueError:
            remote = None
    return _address_of(cfg, tunnel.tunnel_source, version), remote


def _ikev2_profile_for(cfg: Config, name: str | None) -> Profile | None:
    if name is not None:
        return cfg.profiles.get(name)
    return cfg.profiles.get(defaults.DEFAULT)


def _transform_sets(cfg: Config, names: tuple[str, ...]) -> tuple[TransformSet, ...]:
    known = defaults.transform_sets(cfg)
    if not names and defaults.DEFAULT in known:
        names = (defaults.DEFAULT,)
    return tuple(known[n] for n in names if n in known)


def tunnel_policy(cfg: Config, name: str) -> ChildSaPolicy | None:
    """Child SA parameters of a protected tunnel interface, or None if it is not one."""
    tunnel = cfg.interfaces.get(name)
    if tunnel is None or tunnel.tunnel_protection is None:
        return None
    profile = defaults.ipsec_profiles(cfg).get(tunnel.tunnel_protection)
    if profile is None:
        return None
    local, remote = tunnel_endpoints(cfg, tunnel)
    seconds, kilobytes = defaults.ipsec_lifetime(cfg, profile.lifetime)
    return ChildSaPolicy(
        name=tunnel.name,
        local=local,
        peers=(remote,) if remote is not None else (),
        ikev2_profile=_ikev2_profile_for(cfg, profile.ikev2_profile),
        transform_sets=_transform_sets(cfg, profile.transform_sets),
        pfs=profile.pfs,
        lifetime_seconds=seconds,
        lifetime_kilobytes=kilobytes,
        replay_window=profile.replay_window or cfg.ipsec.replay_window or defaults.REPLAY_WINDOW,
        selectors=tunnel_selectors(tunnel, local, remote),
        ipsec_profile=profile.name,
    )


def tunnel_selectors(
    tunnel: Interface, local: IPAddress | None, remote: IPAddress | None
) -> tuple[tuple[TrafficSelector, TrafficSelector], ...]:
    """IPsec VTIs protect everything (any/any); GRE over IPsec the GRE packets host to host."""
    mode = tunnel.tunnel_mode or "gre ip"
    if mode.startswith("ipsec"):
        any_net: IPNetwork = (
            IPv6Network("::/0") if mode.endswith("ipv6") else IPv4Network("0.0.0.0/0")
        )
        return ((TrafficSelector.of(any_net), TrafficSelector.of(any_net)),)
    if local is None or remote is None:
        return ()
    return (
        (
            TrafficSelector.of(ip_network(local), protocol=47),
            TrafficSelector.of(ip_network(remote), protocol=47),
        ),
    )


def crypto_map_policy(cfg: Config, entry: CryptoMapEntry) -> ChildSaPolicy:
    local = None
    for iface in cfg.interfaces.values():
        if iface.crypto_map == entry.map_name:
            local = iface.primary_address
            break
    seconds, kilobytes = defaults.ipsec_lifetime(cfg, entry.lifetime)
    return ChildSaPolicy(
        name=f"crypto map {entry.map_name} {entry.seq}",
        local=local,
        peers=entry.peers,
        ikev2_profile=_ikev2_profile_for(cfg, entry.ikev2_profile),
        transform_sets=_transform_sets(cfg, entry.transform_sets),
        pfs=entry.pfs,
        lifetime_seconds=seconds,
        lifetime_kilobytes=kilobytes,
        replay_window=cfg.ipsec.replay_window or defaults.REPLAY_WINDOW,
        selectors=acl_selectors(cfg, entry.acl),
    )


def acl_selectors(
    cfg: Config, acl_name: str | None
) -> tuple[tuple[TrafficSelector, TrafficSelector], ...]:
    """Each permit entry of a crypto ACL is one (local, remote) selector pair; deny entries and
    entries IKEv2 cannot express (non-contiguous wildcards, `neq`) protect nothing."""
    acl = cfg.access_lists.get(acl_name) if acl_name else None
    if acl is None:
        return ()
    out = []
    for e in acl.entries:
        if e.action != "permit":
            continue
        src, dst = e.source.network(), e.destination.network()
        src_ports = e.source_ports.range() if e.source_ports else (0, 65535)
        dst_ports = e.destination_ports.range() if e.destination_ports else (0, 65535)
        if src is None or dst is None or src_ports is None or dst_ports is None:
            continue
        out.append(
            (
                TrafficSelector.of(src, e.protocol_number, src_ports),
                TrafficSelector.of(dst, e.protocol_number, dst_ports),
            )
        )
    return tuple(out)


def child_sa_policies(cfg: Config) -> tuple[ChildSaPolicy, ...]:
    """Every protected tunnel and every crypto map entry applied to an interface."""
    out = []
    for iface in cfg.interfaces.values():
        policy = tunnel_policy(cfg, iface.name)
        if policy is not None:
            out.append(policy)
    applied = {i.crypto_map for i in cfg.interfaces.values() if i.crypto_map}
    for name, entries in cfg.crypto_maps.items():
        if name in applied:
            out.extend(crypto_map_policy(cfg, e) for e in entries)
    return tuple(out)


__all__ = [
    "ChildSaPolicy",
    "IPv4Address",
    "IPv6Address",
    "IkeSaSettings",
    "PskChoice",
    "TrafficSelector",
    "child_sa_policies",
    "crypto_map_policy",
    "ike_sa_settings",
    "keyring_lookup_order",
    "keyring_peer",
    "match_profile",
    "proposals_for",
    "psk_for_peer",
    "select_policy",
    "signing_key",
    "tunnel_policy",
    "verification_key",
]
