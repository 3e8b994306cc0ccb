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

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
    ip_address,
    ip_network,
)

from pyike.codec.registry import DhId, PrfId
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
from pyike.config.name_mangling import derive
from pyike.config.radius_model import RadiusServerConfig
from pyike.crypto import catalogue
from pyike.ios_names import SIGNATURE_METHODS
from pyike.nhrp.config import DEFAULT_HOLDTIME as NHRP_HOLDTIME
from pyike.nhrp.config import DEFAULT_MAX_SEND as NHRP_MAX_SEND
from pyike.nhrp.config import DEFAULT_MAX_SEND_INTERVAL as NHRP_MAX_SEND_INTERVAL
from pyike.nhrp.config import DEFAULT_MTU as NHRP_MTU
from pyike.nhrp.config import DEFAULT_REDIRECT_TIMEOUT as NHRP_REDIRECT_TIMEOUT
from pyike.nhrp.config import NhrpConfig, NhsServer
from pyike.traffic_selector import TrafficSelector

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

# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_ADDRESS, _FQDN, _EMAIL = IdentityKind.ADDRESS, IdentityKind.FQDN, IdentityKind.EMAIL
_KEY_ID, _ANY = IdentityKind.KEY_ID, IdentityKind.ANY


def identity_network(match: IdentityMatch | KeyringPeer) -> IPNetwork | None:
    """The addresses an address match covers; `0.0.0.0`/`::` without a mask covers all."""
    if isinstance(match, KeyringPeer):
        if match.address is None:
            return None
        value, mask = match.address, match.mask
    else:
        if match.kind is not _ADDRESS:
            return None
        value, mask = match.value, match.mask
    return _parsed_network(value, mask)


@lru_cache(maxsize=1024)
def _parsed_network(value: str, mask: str | None) -> IPNetwork:
    """Parsed once per configured text: every IKE_AUTH looks up its keyring's peers."""
    if mask is None and value in ("0.0.0.0", "::"):
        return ip_network(f"{value}/0")
    if mask is not None:
        return ip_network(f"{value}/{mask}", strict=False)
    return ip_network(value, strict=False)


def _name_matches(match: IdentityMatch, value: str) -> bool:
    if match.kind is _KEY_ID:
        return value == match.value
    if match.kind is _EMAIL and match.domain:
        return value.rpartition("@")[2].lower() == match.value.lower()
    if match.kind is _FQDN and match.domain:
        v, d = value.lower().rstrip("."), match.value.lower().rstrip(".")
        return v == d or v.endswith("." + d)
    return value.lower() == match.value.lower()


def identity_matches(match: IdentityMatch, identity: Identity) -> bool:
    if match.kind is _ANY:
        return True
    if match.kind is not identity.kind:
        return False
    if match.kind is _ADDRESS:
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
    by_identity: list[KeyringPeer] = []
    by_address: list[tuple[int, int, KeyringPeer]] = []
    by_hostname: list[KeyringPeer] = []
    fqdn = remote.value.lower() if remote is not None and remote.kind is _FQDN else None
    for index, p in enumerate(ring.peers):
        if remote is not None and p.identity and identity_matches(p.identity, remote):
            by_identity.append(p)
        if peer is not None:
            network = identity_network(p)
            if network is not None and network.version == peer.version and peer in network:
                by_address.append((-network.prefixlen, index, p))
        if fqdn is not None and p.hostname is not None and p.hostname.lower() == fqdn:
            by_hostname.append(p)
    by_address.sort(key=lambda t: (t[0], t[1]))
    out: list[KeyringPeer] = []
    for p in [*by_identity, *(t[2] for t in by_address), *by_hostname]:
        if p not in out:
            out.append(p)
    return out


# Every method IOS offers that pyike cannot use yet, and what it lacks for it (none now:
# EAP came with ike/eap_auth.py; what an EAP profile needs is `eap_*_blocker` below).
UNSUPPORTED_METHODS: dict[str, str] = {}
DEFAULT_LOGIN_LIST = "default"


def eap_login_list(profile: Profile) -> str:
    """The `aaa authentication login` list a server profile checks EAP users with: `aaa
    authentication eap LIST`, else the list `default`."""
    return profile.flex.eap_list or DEFAULT_LOGIN_LIST


def eap_users_blocker(cfg: Config, profile: Profile) -> str | None:
    """Why a server profile (`authentication remote eap`) can check no EAP user; None when
    it can: a local login list (the router's `username` entries), or one whose first method
    is a RADIUS group with a server to ask (`eap_relay_group`)."""
    name = eap_login_list(profile)
    flex = cfg.flexvpn
    methods = flex.authentication_login.get(name)
    if not flex.aaa_new_model or methods is None:
        return (
            f"AAA authentication list {name} is not defined for EAP "
            f"('aaa new-model' and 'aaa authentication login {name} local')"
        )
    if methods.local:
        return None
    first = methods.methods[0]
    group = first.removeprefix("group ") if first.startswith("group ") else None
    if group is None:
        return f"AAA authentication list {name} asks {first}, which pyike does not reach for EAP"
    servers = radius_servers(cfg, group)
    if isinstance(servers, str):
        return f"AAA authentication list {name}: {servers}"
    return None


def eap_relay_group(cfg: Config, profile: Profile) -> str | None:
    """The RADIUS group a server profile relays EAP to (its login list's first method is
    `group NAME`), or None (local users, or nothing usable: `eap_users_blocker` says why)."""
    methods = cfg.flexvpn.authentication_login.get(eap_login_list(profile))
    if methods is None or methods.local or not methods.methods[0].startswith("group "):
        return None
    return methods.methods[0].removeprefix("group ")


def psk_aaa_group(cfg: Config, profile: Profile) -> str | None:
    """The RADIUS group `keyring aaa LIST` asks for each peer's keys (LIST, an `aaa
    authorization network` list, whose first method is `group NAME`); None otherwise."""
    name = profile.flex.keyring_aaa
    return None if name is None else aaa_list_group(cfg, name)


def aaa_list_group(cfg: Config, name: str) -> str | None:
    """The RADIUS group `aaa authorization network NAME group GROUP` asks first; None when
    the list is not defined or asks something else first (local)."""
    methods = cfg.flexvpn.authorization_network.get(name)
    if methods is None or not methods.methods or not methods.methods[0].startswith("group "):
        return None
    return methods.methods[0].removeprefix("group ")


def radius_servers(cfg: Config, group: str) -> list[RadiusServerConfig] | str:
    """The servers of `aaa group server radius GROUP` that can be asked (an address and a
    usable key), in order; why there is none."""
    configured = cfg.radius.groups.get(group)
    if configured is None:
        return f"RADIUS server group {group} is not defined ('aaa group server radius {group}')"
    servers = [cfg.radius.servers.get(name) for name in configured.servers]
    usable = [
        s
        for s in servers
        if s is not None and s.address is not None and s.key is not None and s.key.usable
    ]
    if not usable:
        return f"RADIUS server group {group} has no server with an address and a usable key"
    return usable


def eap_client_blocker(profile: Profile) -> str | None:
    """Why `authentication local eap` has nothing to present; None when it has."""
    eap = profile.eap_local
    if eap is None or eap.username is None or eap.password is None:
        return "'authentication local eap' needs a username and a password"
    if not eap.password.usable:
        return "its EAP password is type 6, which pyike cannot decrypt without the master key"
    return None


def sign_trustpoint(profile: Profile) -> str | None:
    """The trustpoint the profile signs with: `pki trustpoint NAME [sign]`."""
    return next((n for n, use in profile.pki_trustpoints if use in ("", "sign")), None)


def verify_trustpoints(cfg: Config, profile: Profile) -> list[str]:
    """The trustpoints a peer's certificate may chain to: `pki trustpoint NAME [verify]`,
    every trustpoint when the profile names none."""
    named = [n for n, use in profile.pki_trustpoints if use in ("", "verify")]
    return named or list(cfg.trustpoints)


def certificate_blocker(cfg: Config, profile: Profile) -> str | None:
    """Why the profile cannot sign with a certificate (`authentication local rsa-sig`), or
    cannot check a peer's when it accepts nothing else; None when it can."""
    local = next((m for m in profile.auth_local if m in SIGNATURE_METHODS), None)
    if local is not None:
        name = sign_trustpoint(profile)
        trustpoint = None if name is None else cfg.trustpoints.get(name)
        if name is None:
            return f"signs with 'authentication local {local}' but names no 'pki trustpoint'"
        if trustpoint is None:
            return f"signs with trustpoint {name}, which is not configured"
        if trustpoint.router_certificate is None:
            return f"signs with trustpoint {name}, which has no router certificate (not enrolled)"
    remote = [m for m in profile.auth_remote if m in SIGNATURE_METHODS]
    if remote and remote == list(profile.auth_remote):
        cas = [n for n in verify_trustpoints(cfg, profile) if _has_ca(cfg, n)]
        if not cas:
            return (
                f"requires 'authentication remote {remote[0]}' of the peer, but no trustpoint "
                "it names has a CA certificate to validate one with"
            )
    return None


def _has_ca(cfg: Config, name: str) -> bool:
    trustpoint = cfg.trustpoints.get(name)
    return trustpoint is not None and bool(trustpoint.ca_certificates)


def auth_blocker(profile: Profile, cfg: Config | None = None) -> str | None:
    """Why no peer can authenticate through ``profile`` in pyike, or None when one can. A
    profile demanding a signature or EAP is never satisfied with a PSK."""
    local = next((m for m in profile.auth_local if m in UNSUPPORTED_METHODS), None)
    if local is not None:
        why = UNSUPPORTED_METHODS[local]
        return f"authenticates itself with 'authentication local {local}' ({why})"
    client = eap_client_blocker(profile) if "eap" in profile.auth_local else None
    if client is not None:
        return f"authenticates itself with 'authentication local eap' ({client})"
    if cfg is not None and list(profile.auth_remote) == ["eap"]:
        server = eap_users_blocker(cfg, profile)
        if server is not None:
            return (
                f"requires 'authentication remote eap' of the peer ({server}) and refuses a "
                "pre-shared key"
            )
    dn = profile.local_identity is not None and profile.local_identity.kind is IdentityKind.DN
    if dn and not any(m in SIGNATURE_METHODS for m in profile.auth_local):
        return "identifies itself with 'identity local dn' but signs with no certificate"
    remote = [m for m in profile.auth_remote if m in UNSUPPORTED_METHODS]
    if remote and remote == list(profile.auth_remote):
        return (
            f"requires 'authentication remote {remote[0]}' of the peer "
            f"({UNSUPPORTED_METHODS[remote[0]]}) and refuses a pre-shared key"
        )
    return None if cfg is None else certificate_blocker(cfg, profile)


@dataclass  # made per peer: a plain dataclass (DESIGN.md, Per-SA cost)
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
    if entry is None:
        names = aaa_key_names(cfg, profile, remote, peer)
        local, remote_key, where = aaa_local_keys(cfg, profile, names)
        local_origin = remote_origin = where
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


def aaa_keys_blocker(cfg: Config, profile: Profile) -> str | None:
    """Why `keyring aaa LIST` finds no key in the router's own AAA; None when LIST is local
    (or the profile has no `keyring aaa`, or LIST asks a RADIUS group: the gateway's)."""
    name = profile.flex.keyring_aaa
    if name is None:
        return None
    methods = cfg.flexvpn.authorization_network.get(name)
    if not cfg.flexvpn.aaa_new_model or methods is None:
        return (
            f"keyring aaa {name}: method list {name} is not defined "
            f"('aaa new-model' and 'aaa authorization network {name} local')"
        )
    if methods.methods and methods.methods[0].startswith("group "):
        return None
    if not methods.local:
        return f"keyring aaa {name}: method list {name} asks {methods.methods[0]}"
    mangler = profile.flex.keyring_aaa_mangler
    if mangler is not None and mangler not in cfg.flexvpn.name_manglers:
        return f"keyring aaa {name} name-mangler {mangler}: name-mangler {mangler} does not exist"
    return None


def aaa_key_names(
    cfg: Config, profile: Profile, remote: Identity | None, peer: IPAddress | None
) -> tuple[str, ...]:
    """The names `keyring aaa` looks a peer's keys up by: the one its `name-mangler` derives
    from the peer's identity (none when it derives none); without one, the identity as sent,
    then the peer's address."""
    mangler_name = profile.flex.keyring_aaa_mangler
    if mangler_name is None:
        return (*((remote.value,) if remote is not None else ()), str(peer or ""))
    mangler = cfg.flexvpn.name_manglers.get(mangler_name)
    if mangler is None or remote is None:
        return ()
    name = derive(mangler, remote.kind.value, remote.value)
    return () if name is None else (name,)


def aaa_local_keys(
    cfg: Config, profile: Profile, names: Sequence[str]
) -> tuple[Secret | None, Secret | None, str | None]:
    """`keyring aaa LIST` with LIST a local method list: the `ipsec:ikev2-password-local` and
    `-remote` of the `aaa attribute list` of the authorization policy named by the first of
    ``names`` (the peer's identity as sent, then its address) that has one; with where they
    came from."""
    name = profile.flex.keyring_aaa
    methods = None if name is None else cfg.flexvpn.authorization_network.get(name)
    if methods is None or not methods.local or aaa_keys_blocker(cfg, profile) is not None:
        return None, None, None
    flex = cfg.flexvpn
    for user in names:
        policy = flex.authorization_policies.get(user)
        listed = None if policy is None else flex.attribute_lists.get(policy.attribute_list or "")
        if listed is not None and (listed.password_local or listed.password_remote):
            where = f"authorization policy {user} attribute list {listed.name}"
            return listed.password_local, listed.password_remote, where
    return None, None, None


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
    fvrf: str | None = None  # where IKE and ESP are routed (None: the global table)
    ivrf: str | None = None  # where the protected traffic is routed
    # A multipoint GRE (DMVPN) tunnel: no configured peer, any peer NHRP finds
    # (`peer_policy` gives the policy toward one).
    multipoint: bool = False
    # A virtual template (dynamic VTI): cloned for each peer its IKEv2 profile authorizes
    # (`template_policy` gives the policy toward one).
    template: bool = False
    idle_seconds: int | None = None  # IPsec SA idle timer (a crypto map entry's)
    # A dynamic crypto map entry's: no configured peer, any peer that authenticates with its
    # IKEv2 profile; the selectors bound what that peer may ask for (any/any: all it asks)
    dynamic: bool = False
    reverse_route: bool = False  # `reverse-route`: a route to each SA's remote selector


MULTIPOINT_PEER = " peer "  # between a multipoint tunnel's name and a peer's, in SA names


def multipoint_sa_name(interface: str, peer: IPAddress) -> str:
    """What the SAs of multipoint tunnel `interface` with one peer (its NBMA address) are
    called: each peer's are a tunnel of their own to the engine and the SA database."""
    return f"{interface}{MULTIPOINT_PEER}{peer}"


def _sa_name_parts(name: str, separator: str, owner: str) -> tuple[str, IPAddress] | None:
    """(OWNER..., peer) of an SA name `OWNER...<separator>PEER`; None for any other name."""
    interface, found, peer = name.partition(separator)
    if not found or not interface.startswith(owner):
        return None
    try:
        return interface, ip_address(peer)
    except ValueError:
        return None


def multipoint_parts(name: str) -> tuple[str, IPAddress] | None:
    """(interface, peer) of a multipoint tunnel's SA name; None for any other name."""
    return _sa_name_parts(name, MULTIPOINT_PEER, "Tunnel")


def sa_interface(name: str) -> str:
    """The tunnel interface (or crypto map entry) an SA name belongs to: that of a
    multipoint tunnel's peer is the tunnel's."""
    parts = multipoint_parts(name)
    return name if parts is None else parts[0]


def peer_policy(child: ChildSaPolicy, peer: IPAddress) -> ChildSaPolicy:
    """A multipoint tunnel's policy toward one peer: GRE between the tunnel source and it,
    under the peer's SA name."""
    return replace(
        child,
        name=multipoint_sa_name(child.name, peer),
        peers=(peer,),
        selectors=gre_selectors(child.local, peer),
    )


TEMPLATE_PEER = " clone for "  # between a virtual template's name and a peer's, in SA names


def virtual_template_sa_name(template: str, peer: IPAddress) -> str:
    """What the SAs a virtual template's clone has with one peer are called, until the host
    names the clone (Virtual-AccessN)."""
    return f"{template}{TEMPLATE_PEER}{peer}"


def virtual_template_parts(name: str) -> tuple[str, IPAddress] | None:
    """(template, peer) of a virtual template clone's SA name; None for any other name."""
    return _sa_name_parts(name, TEMPLATE_PEER, "Virtual-Template")


def template_policy(
    child: ChildSaPolicy, cfg: Config, local: IPAddress, peer: IPAddress
) -> ChildSaPolicy:
    """A virtual template's policy toward one peer, on the local address the peer reached
    (a template without `tunnel source` takes that one, as IOS does): its selectors as a
    tunnel to that peer would have them (any/any for `tunnel mode ipsec`, GRE host to host
    by default)."""
    template = cfg.interfaces[child.name]
    local = child.local or local
    return replace(
        child,
        name=virtual_template_sa_name(child.name, peer),
        local=local,
        peers=(peer,),
        selectors=tunnel_selectors(template, local, peer),
    )


def template_number(name: str) -> int | None:
    """N of `Virtual-TemplateN`."""
    digits = name.removeprefix("Virtual-Template")
    return int(digits) if digits != name and digits.isdigit() else None


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
    version = tunnel.outer_version
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
    multipoint = tunnel.is_multipoint_gre
    return ChildSaPolicy(
        name=tunnel.name,
        local=local,
        peers=(remote,) if remote is not None and not multipoint else (),
        ikev2_profile=_ikev2_profile_for(cfg, profile.ikev2_profile),
        transform_sets=_transform_sets(cfg, profile.transform_sets),
        pfs=profile.pfs,
        lifetime_seconds=seconds,
        lifetime_kilobytes=kilobytes,
        replay_window=profile.replay_window or cfg.ipsec.replay_window or defaults.REPLAY_WINDOW,
        selectors=() if multipoint else tunnel_selectors(tunnel, local, remote),
        ipsec_profile=profile.name,
        fvrf=tunnel.tunnel_vrf,
        ivrf=tunnel.vrf,
        multipoint=multipoint,
        template=tunnel.type_tunnel,
    )


def tunnel_selectors(
    tunnel: Interface, local: IPAddress | None, remote: IPAddress | None
) -> tuple[tuple[TrafficSelector, TrafficSelector], ...]:
    """IPsec VTIs protect everything (any/any); GRE over IPsec the GRE packets host to host."""
    mode = tunnel.tunnel_mode or "gre ip"
    if mode.startswith("ipsec"):
        any_net: IPNetwork = (
            IPv6Network("::/0") if tunnel.inner_version == 6 else IPv4Network("0.0.0.0/0")
        )
        return ((TrafficSelector.of(any_net), TrafficSelector.of(any_net)),)
    return gre_selectors(local, remote)


def gre_selectors(
    local: IPAddress | None, remote: IPAddress | None
) -> tuple[tuple[TrafficSelector, TrafficSelector], ...]:
    """GRE (protocol 47) from one tunnel endpoint to the other; none while one is unknown."""
    if local is None or remote is None:
        return ()
    return (
        (
            TrafficSelector.of(ip_network(local), protocol=47),
            TrafficSelector.of(ip_network(remote), protocol=47),
        ),
    )


def peers_own_traffic(
    selectors: tuple[TrafficSelector, TrafficSelector], local: IPAddress, peer: IPAddress
) -> bool:
    """A (local, remote) selector pair from one peer to the other, host to host (GRE over
    IPsec, a crypto ACL between the peers): the only traffic IOS asks transport mode for. For
    any other (a VTI's any/any, subnets) it passes `mode transport` over: tunnel mode."""
    mine, theirs = selectors
    return mine.start == mine.end == local and theirs.start == theirs.end == peer


def crypto_map_local(cfg: Config, map_name: str) -> IPAddress | None:
    """The address a crypto map's IKE and IPsec SAs use: that of its `local-address`
    interface, else that of the first interface it is applied to (None: neither has one)."""
    named = cfg.crypto_map_local.get(map_name)
    if named is not None:
        iface = cfg.interfaces.get(named.interface)
        return iface.primary_address if iface is not None else None
    outside = next((i for i in cfg.interfaces.values() if i.crypto_map == map_name), None)
    return outside.primary_address if outside is not None else None


def dynamic_entry_name(entry: CryptoMapEntry, dynamic: CryptoMapEntry) -> str:
    """A crypto map entry `ipsec-isakmp dynamic DYN` as one of DYN's entries fills it."""
    return f"crypto map {entry.map_name} {entry.seq} dynamic {dynamic.map_name} {dynamic.seq}"


def dynamic_map_policies(cfg: Config, entry: CryptoMapEntry) -> list[ChildSaPolicy]:
    """What crypto map entry `ipsec-isakmp dynamic DYN` accepts: one policy per entry of DYN,
    in sequence order, for any peer; without `match address`, any selectors the peer asks."""
    out = []
    for dynamic in cfg.dynamic_maps.get(entry.dynamic or "", ()):
        policy = crypto_map_policy(cfg, dynamic, entry.map_name)
        selectors = policy.selectors if dynamic.acl else ((_ANY4, _ANY4),)
        name = dynamic_entry_name(entry, dynamic)
        out.append(replace(policy, name=name, selectors=selectors, dynamic=True))
    return out


_ANY4 = TrafficSelector.any4()


def crypto_map_policy(
    cfg: Config, entry: CryptoMapEntry, map_name: str | None = None
) -> ChildSaPolicy:
    """A crypto map entry's policy (`map_name`: the crypto map a dynamic map's entry fills)."""
    applied = map_name or entry.map_name
    outside = next((i for i in cfg.interfaces.values() if i.crypto_map == applied), None)
    local = crypto_map_local(cfg, applied)
    fvrf = outside.vrf if outside is not None else None
    profile = _ikev2_profile_for(cfg, entry.ikev2_profile)
    seconds, kilobytes = defaults.ipsec_lifetime(cfg, entry.lifetime)
    return ChildSaPolicy(
        name=f"crypto map {entry.map_name} {entry.seq}",
        local=local,
        peers=entry.peers,
        ikev2_profile=profile,
        transform_sets=_transform_sets(cfg, entry.transform_sets),
        pfs=entry.pfs,
        lifetime_seconds=seconds,
        lifetime_kilobytes=kilobytes,
        replay_window=cfg.ipsec.replay_window or defaults.REPLAY_WINDOW,
        selectors=acl_selectors(cfg, entry.acl),
        fvrf=fvrf,
        ivrf=fvrf,  # decrypted traffic is forwarded as received on the interface
        idle_seconds=entry.idle_time or cfg.ipsec.idle_time,
        reverse_route=entry.reverse_route,
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
        for e in entries if name in applied else ():
            out += (
                [crypto_map_policy(cfg, e)] if e.dynamic is None else dynamic_map_policies(cfg, e)
            )
    return tuple(out)


# --- VRFs ------------------------------------------------------------------------------------


def vrf_of_address(cfg: Config, address: IPAddress) -> str | None:
    """The VRF one of the router's addresses is in (None: the global table): that of the
    interface holding it; the front-door VRF of IKE and ESP to and from that address. IOS lets
    VRFs overlap; an address held in several is taken in the first interface's VRF."""
    for iface in cfg.interfaces.values():
        if address in _addresses(iface):
            return iface.vrf
    return None


def _addresses(iface: Interface) -> list[IPAddress]:
    held: list[IPAddress] = [a for a, _ in iface.addresses]
    for text in iface.ipv6_addresses:
        try:
            held.append(IPv6Interface(text.split()[0]).ip)
        except ValueError:
            continue
    return held


def ike_sa_vrfs(
    cfg: Config,
    local: IPAddress,
    remote: IPAddress,
    profile: str | None,
    children: Sequence[ChildSaPolicy] | None = None,
) -> tuple[str | None, str | None]:
    """(fvrf, ivrf) of an IKE SA between `local` and `remote`: the VRF IKE runs in, and that
    of the traffic its tunnel or crypto map protects (else the IKEv2 profile's `ivrf`).
    `children`: `child_sa_policies(cfg)`, when the caller asks for many SAs."""
    fvrf = vrf_of_address(cfg, local)
    for child in child_sa_policies(cfg) if children is None else children:
        with_peer = remote in child.peers or child.multipoint
        if child.local == local and with_peer and child.fvrf == fvrf:
            return fvrf, child.ivrf
    configured = cfg.profiles.get(profile) if profile is not None else None
    return fvrf, configured.ivrf if configured is not None else None


# --- what pyike will not negotiate ---------------------------------------------------------


def ikev1_reason(
    cfg: Config, ikev2_profile: str | None, isakmp_profile: str | None, where: str
) -> str | None:
    """Why a tunnel or crypto map entry would run IKEv1 (IOS's default for an IPsec profile or
    map entry without `set ikev2-profile`, when no `crypto ikev2 profile default` stands in),
    or None when it runs IKEv2. `where` names the IPsec profile or entry, for the message."""
    if _ikev2_profile_for(cfg, ikev2_profile) is not None:
        return None
    if ikev2_profile is not None:
        return None  # names a missing IKEv2 profile: an error of its own
    if cfg.has_ikev1 or isakmp_profile is not None:
        return (
            f"uses IKEv1 (no set ikev2-profile in {where}): pyike does not negotiate IKEv1, "
            "so it will not come up"
        )
    return (
        f"has no IKEv2 profile (no set ikev2-profile in {where} and no 'crypto ikev2 profile "
        "default'): IOS would use IKEv1, which is not configured, so it will not come up"
    )


def _tunnel_reason(cfg: Config, tunnel: Interface) -> str | None:
    ends = ("source",) if tunnel.is_multipoint_gre else ("destination", "source")
    for end in ends:
        if getattr(tunnel, f"tunnel_{end}") is None:
            return f"has tunnel protection but no tunnel {end}, so it will not come up"
    if tunnel.is_multipoint_gre:
        reason = nhrp_reason(cfg, tunnel)
        if reason is not None:
            return reason
    if tunnel.tunnel_destination == "dynamic":
        reason = _client_reason(cfg, tunnel.name)
        if reason is not None:
            return reason
    local, remote = tunnel_endpoints(cfg, tunnel)
    if remote is not None and remote == local:
        return (
            f"has tunnel destination {remote}, its own tunnel source: an IKE SA with itself, "
            "which pyike does not negotiate, so it will not come up"
        )
    profile = defaults.ipsec_profiles(cfg).get(tunnel.tunnel_protection or "")
    if profile is None:
        return None
    where = f"IPsec profile {profile.name}"
    return (
        ikev1_reason(cfg, profile.ikev2_profile, profile.isakmp_profile, where)
        or ah_reason(_transform_sets(cfg, profile.transform_sets))
        or transport_reason(tunnel_policy(cfg, tunnel.name))
    )


def runs_nhrp(tunnel: Interface) -> bool:
    """NHRP runs on a multipoint GRE tunnel (`nhrp_reason` says when it cannot), and on a
    point-to-point one over IPv4 with `ip nhrp network-id` and an `ip nhrp nhs` (a DMVPN
    phase 1 spoke, registering with its hub at the tunnel destination)."""
    if tunnel.is_multipoint_gre:
        return True
    nhrp = tunnel.nhrp
    return (
        tunnel.is_point_to_point_gre
        and tunnel.outer_version == 4
        and bool(nhrp.servers)
        and nhrp.network_id is not None
    )


def _client_reason(cfg: Config, tunnel: str) -> str | None:
    """Why a `tunnel destination dynamic` tunnel has no FlexVPN client aiming it, if so."""
    clients = [c for c in cfg.flexvpn.clients.values() if tunnel in c.tunnels]
    if not clients:
        return (
            "has tunnel destination dynamic and no FlexVPN client connects it ('client connect "
            f"{tunnel}' in a 'crypto ikev2 client flexvpn' block), so it will not come up"
        )
    if not any(c.peers for c in clients):
        return (
            f"is connected by FlexVPN client {clients[0].name}, which has no peer "
            "('peer N ADDRESS|fqdn NAME'), so it will not come up"
        )
    return None


def nhrp_config(cfg: Config, tunnel: Interface, version: int = 4) -> NhrpConfig:
    """What NHRP for the tunnel's IPv4 overlay (`ip nhrp`; `version` 6: its IPv6 overlay,
    `ipv6 nhrp`) runs with on GRE tunnel `tunnel` (IOS's defaults where its lines are
    silent). ValueError, saying why, when it cannot run: without `network-id`, over IPv6
    (`tunnel mode gre multipoint ipv6`), without an address of the overlay's family or a
    source address, or with an NHS whose NBMA address nothing gives."""
    nhrp = tunnel.nhrp if version == 4 else tunnel.nhrp6
    family = "ip" if version == 4 else "ipv6"
    if tunnel.outer_version == 6:
        raise ValueError("runs over IPv6 (gre multipoint ipv6), which pyike's NHRP does not")
    if nhrp.network_id is None:
        raise ValueError(f"has no '{family} nhrp network-id': NHRP does not run on it")
    source, destination = tunnel_endpoints(cfg, tunnel)
    address = _overlay_address(tunnel, version)
    if address is None or source is None:
        missing = f"IPv{version} address" if address is None else "tunnel source address"
        raise ValueError(f"has no {missing}, which NHRP needs")
    # a point-to-point tunnel reaches its NHS at the tunnel destination
    fixed = destination if tunnel.is_point_to_point_gre else None
    max_send, max_send_interval = nhrp.max_send or (NHRP_MAX_SEND, NHRP_MAX_SEND_INTERVAL)
    return NhrpConfig(
        interface=tunnel.name,
        address=address,
        nbma=source,
        network_id=nhrp.network_id,
        nhs=tuple(NhsServer(s.address, s.nbma or fixed, s.multicast) for s in nhrp.servers),
        maps=nhrp.maps,
        multicast=nhrp.multicast,
        multicast_dynamic=nhrp.multicast_dynamic,
        authentication=None if nhrp.authentication is None else nhrp.authentication.reveal(),
        holdtime=nhrp.holdtime or NHRP_HOLDTIME,
        registration_timeout=nhrp.registration_timeout,
        unique=not nhrp.no_unique,
        redirect=nhrp.redirect,
        redirect_timeout=nhrp.redirect_timeout or NHRP_REDIRECT_TIMEOUT,
        shortcut=nhrp.shortcut,
        protected=tunnel.tunnel_protection is not None,
        tunnel_key=tunnel.tunnel_key,
        mtu=tunnel.ip_mtu or NHRP_MTU,
        max_send=max_send,
        max_send_interval=max_send_interval,
    )


def nhrp_configs(cfg: Config, tunnel: Interface) -> list[NhrpConfig]:
    """NHRP's configuration for each overlay family of `tunnel` that has a `network-id`
    (IPv4 first); ValueError, saying why, when none can run."""
    versions = [v for v, n in ((4, tunnel.nhrp), (6, tunnel.nhrp6)) if n.network_id is not None]
    if not versions:
        raise ValueError("has no 'ip nhrp network-id': NHRP does not run on it")
    return [nhrp_config(cfg, tunnel, version) for version in versions]


def _overlay_address(tunnel: Interface, version: int) -> IPv4Interface | IPv6Interface | None:
    """The tunnel's first IPv4 address, or its first global IPv6 one."""
    if version == 4:
        if not tunnel.addresses:
            return None
        address, mask = tunnel.addresses[0]
        return IPv4Interface(f"{address}/{mask}")
    for text in tunnel.ipv6_addresses:
        candidate = IPv6Interface(text.split()[0])
        if not candidate.ip.is_link_local:
            return candidate
    return None


def nhrp_reason(cfg: Config, tunnel: Interface) -> str | None:
    """Why NHRP finds no peer for multipoint GRE tunnel `tunnel` (`nhrp_config`), or None."""
    try:
        nhrp_configs(cfg, tunnel)
    except ValueError as error:
        return f"{error}: it finds no peer, so it will not come up"
    return None


def ah_reason(transform_sets: Sequence[TransformSet]) -> str | None:
    """Why a tunnel or crypto map entry offering `transform_sets` will not come up when each of
    them has an AH transform, or None: pyike has no AH, and offering or accepting their ESP
    transforms alone would protect less than configured."""
    if not transform_sets or any(ts.ah is None for ts in transform_sets):
        return None
    names = ", ".join(f"{ts.name}: {ts.ah.keyword}" for ts in transform_sets if ts.ah)
    return (
        f"offers only transform sets with AH ({names}): pyike does not negotiate AH (RFC 4302) "
        "nor their ESP transforms alone in its place, so it will not come up"
    )


def transport_reason(child: ChildSaPolicy | None) -> str | None:
    """Why a tunnel or crypto map entry will not come up when every transform set it may use
    says `mode transport require` and it protects more than the peers' own traffic (IOS then
    completes no Child SA), or None."""
    if child is None or child.local is None or not child.peers:
        return None
    sets = [ts for ts in child.transform_sets if ts.ah is None]
    if not sets or not all(ts.transport_required for ts in sets):
        return None
    if all(peers_own_traffic(pair, child.local, child.peers[0]) for pair in child.selectors):
        return None
    names = ", ".join(ts.name for ts in sets)
    return (
        f"requires transport mode (mode transport require in transform set {names}) for more "
        "than the peers' own traffic: IOS completes no Child SA, so it will not come up"
    )


def _protected_tunnels(cfg: Config) -> list[Interface]:
    """Tunnels that would negotiate: protected, not shut down, not dynamic VTI templates."""
    return [
        i
        for i in cfg.interfaces.values()
        if i.tunnel_protection is not None and not i.shutdown and not i.type_tunnel
    ]


def not_negotiated(cfg: Config) -> dict[str, str]:
    """Each protected tunnel and applied crypto map entry that pyike does not negotiate, by
    name, with why ("uses IKEv1 ..."), as `config check`, the lab and `pyike run` say it."""
    out: dict[str, str] = {}
    for iface in _protected_tunnels(cfg):
        reason = _tunnel_reason(cfg, iface)
        if reason is not None:
            out[iface.name] = reason
    applied = {i.crypto_map for i in cfg.interfaces.values() if i.crypto_map}
    for name, entries in cfg.crypto_maps.items():
        for entry in entries if name in applied else ():
            if entry.dynamic is None:
                filled = [(f"crypto map {name} {entry.seq}", entry, crypto_map_policy(cfg, entry))]
            else:
                dynamic = cfg.dynamic_maps.get(entry.dynamic, ())
                policies = dynamic_map_policies(cfg, entry)
                filled = [(p.name, d, p) for d, p in zip(dynamic, policies, strict=True)]
            for where, owner, policy in filled:
                reason = (
                    ikev1_reason(cfg, owner.ikev2_profile, owner.isakmp_profile, where)
                    or ah_reason(_transform_sets(cfg, owner.transform_sets))
                    or transport_reason(policy)
                )
                if reason is not None:
                    out[where] = reason
    return out


def missing_sources(cfg: Config) -> dict[str, str]:
    """Tunnels whose tunnel source interface the lab and `pyike run` cannot give an address:
    not in the configuration (a snippet: the router has the port), or `ip address
    negotiated` with no address yet."""
    out: dict[str, str] = {}
    for tunnel in _protected_tunnels(cfg):
        source = tunnel.tunnel_source
        if source is None or _address_of(cfg, source, tunnel.outer_version) is not None:
            continue
        iface = cfg.interfaces.get(source)
        if iface is None:
            out[tunnel.name] = (
                f"needs interface {source} (its tunnel source), which the configuration does "
                f"not have: add 'interface {source}' with its IP address"
            )
        elif iface.address_negotiated:
            out[tunnel.name] = (
                f"has no local address: its tunnel source {source} has 'ip address "
                "negotiated' and no address yet (pyike does not request one)"
            )
        elif iface.address_dhcp is not None:
            out[tunnel.name] = (
                f"has no local address: its tunnel source {source} has 'ip address dhcp' and"
                " no lease (pyike run takes its bound host device's; the lab leases one only"
                " from the provider it adds between sites)"
            )
    return out


def not_run_by_the_gateway(cfg: Config) -> dict[str, str]:
    """The protected multipoint GRE (DMVPN) tunnels, which the lab runs and `pyike run` does
    not, by name."""
    out = {}
    for tunnel in _protected_tunnels(cfg):
        if tunnel.is_multipoint_gre:
            out[tunnel.name] = (
                "is a multipoint GRE (DMVPN) tunnel: pyike run has no NHRP (the lab has), so it "
                "will not come up here"
            )
    return out


def wont_come_up(cfg: Config) -> dict[str, str]:
    """What the lab and `pyike run` cannot bring up, by tunnel or crypto map entry, and why."""
    return {**not_negotiated(cfg), **missing_sources(cfg)}


def esp_df_bits(cfg: Config) -> tuple[str, dict[str, str]]:
    """`crypto ipsec df-bit`: what the outer IPv4 header of tunnel-mode ESP does with the DF
    bit, as the configuration has it (IOS's default: copy the inner packet's), and the
    interfaces' own settings by the text of their IPv4 addresses (ESP sent from an address
    follows its interface's)."""
    by_address = {
        str(address): iface.df_bit
        for iface in cfg.interfaces.values()
        if iface.df_bit is not None
        for address, _ in iface.addresses
    }
    return cfg.ipsec.df_bit or "copy", by_address


def fragments_before_encryption(cfg: Config, interface: str) -> bool:
    """`crypto ipsec fragmentation`: whether the crypto map on `interface` fragments a packet
    whose ESP would not fit before encrypting it (the interface's setting, else the global
    one; IOS's default: before-encryption)."""
    iface = cfg.interfaces.get(interface)
    setting = (iface.ipsec_fragmentation if iface is not None else None) or cfg.ipsec.fragmentation
    return setting != "after-encryption"


__all__ = [
    "UNSUPPORTED_METHODS",
    "ChildSaPolicy",
    "IPv4Address",
    "IPv6Address",
    "IkeSaSettings",
    "PskChoice",
    "TrafficSelector",
    "aaa_keys_blocker",
    "aaa_local_keys",
    "ah_reason",
    "child_sa_policies",
    "crypto_map_policy",
    "eap_client_blocker",
    "eap_login_list",
    "eap_relay_group",
    "eap_users_blocker",
    "esp_df_bits",
    "fragments_before_encryption",
    "ike_sa_settings",
    "ike_sa_vrfs",
    "keyring_lookup_order",
    "keyring_peer",
    "match_profile",
    "missing_sources",
    "multipoint_parts",
    "multipoint_sa_name",
    "nhrp_config",
    "nhrp_configs",
    "nhrp_reason",
    "not_negotiated",
    "not_run_by_the_gateway",
    "peer_policy",
    "proposals_for",
    "psk_aaa_group",
    "psk_for_peer",
    "radius_servers",
    "runs_nhrp",
    "sa_interface",
    "select_policy",
    "signing_key",
    "template_number",
    "template_policy",
    "transport_reason",
    "tunnel_policy",
    "verification_key",
    "virtual_template_parts",
    "virtual_template_sa_name",
    "vrf_of_address",
    "wont_come_up",
]
