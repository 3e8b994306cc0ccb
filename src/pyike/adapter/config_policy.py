"""The engine's Policy answered from an IOS configuration (one per router).

Every answer comes from `pyike.config.query`, so the engine negotiates exactly what
`pyike config explain` describes: the IKEv2 policy by local address and front-door VRF (the
VRF of the interface holding the local address, as IOS takes the VRF the IKE packet arrived in),
its proposals in configured order (IOS's default proposal and policy when none), the profile
by the peer's identity, keys from the profile's keyring (the local key to sign, the remote key
to verify), transform sets (transport mode only for the peers' own traffic), PFS, lifetimes and
the anti-replay window from the IPsec profile or crypto map entry,
selectors (VTI any/any, GRE over IPsec host to host, crypto map from its ACL), and the global
`crypto ikev2` settings.

    policy, tunnels = policy_for_config(load_file("router1.cfg").config)
    engine = IkeEngine(policy, random_bytes)
    engine.initiate(now, tunnels[0])

Modelling choices, where IOS offers no single answer:
- A crypto map ACL with several permit lines gives one TunnelSpec per line, each under its
  own name (IOS negotiates one Child SA per line as traffic hits it): the first line's is the
  entry's, "crypto map CMAP 10", a further one adds its position in the ACL, "crypto map
  CMAP 10 line 3" (`pyike.ipsec.acl_match.line_sa_names`). A crypto map entry with several
  `set peer` lines is initiated towards its first peer and accepted from any of them.
- A multipoint GRE (DMVPN) tunnel has no configured peer: its policy toward a peer is made
  when NHRP (or the peer) asks for one, named for the peer (`query.multipoint_sa_name`).
- A tunnel or map entry without an IKEv2 profile (`set ikev2-profile`, or a profile named
  `default`) is never initiated: IOS would use IKEv1 for it.
- Transform sets with an AH transform are neither offered nor accepted (pyike has no AH); a
  tunnel or map entry with no other set is neither initiated nor accepted.
- Type 6 (encrypted) keys cannot be used without the router's master key: they are treated
  as missing, so authentication fails as IOS fails without a key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from cryptography import x509

from pyike.adapter.answers import Answers
from pyike.adapter.config_eap import ConfigEapDirectory
from pyike.adapter.config_pki import RouterKeys, router_pki
from pyike.adapter.flexvpn_policy import FlexvpnAuthorizer
from pyike.codec.registry import IdType, IntegId
from pyike.config import query
from pyike.config.model import Config, IdentityKind, Secret
from pyike.config.model import Identity as ConfigIdentity
from pyike.config.model import IdentityMatch as ConfigIdentityMatch
from pyike.config.model import Profile as ConfigProfile
from pyike.config.model import Proposal as ConfigProposal
from pyike.config.model import TransformSet as ConfigTransformSet
from pyike.ike.events import Endpoint, IPAddress
from pyike.ike.policy import (
    DpdSettings,
    EngineSettings,
    Identity,
    IdentityMatch,
    IkeProposalSpec,
    ProfileSpec,
    TransformSetSpec,
    TunnelSpec,
)
from pyike.ipsec.acl_match import map_entries
from pyike.pki.keystore import KeyFileError, default_label, load_router_keys
from pyike.pki.trust import RouterPki
from pyike.seed_epoch import SEED_EPOCH
from pyike.traffic_selector import TrafficSelector

# --- conversions from the config model ---------------------------------------------------


def ike_proposal_spec(proposal: ConfigProposal) -> IkeProposalSpec:
    """A proposal as `query.proposals_for` returns it (PRFs filled in, no integrity for AEAD)."""
    return IkeProposalSpec(
        proposal.name,
        tuple((e.id, e.key_bits) for e in proposal.encryption),
        proposal.integrity,
        proposal.prf,
        proposal.groups,
    )


def transform_set_spec(ts: ConfigTransformSet) -> TransformSetSpec:
    """An ESP transform set; one with AH has no spec (pyike has no AH, and its ESP transforms
    alone would protect less than configured)."""
    if ts.ah is not None:
        raise ValueError(
            f"transform set {ts.name} has AH ({ts.ah.keyword}), which is not negotiated"
        )
    cipher = ts.cipher  # IOS's default key size filled in
    encr, bits = cipher.id, cipher.key_length
    integ = ts.integrity.id if ts.integrity is not None else IntegId.NONE
    if ts.mode == "transport":
        return TransformSetSpec(
            ts.name, encr, bits, integ, "transport", transport_required=ts.transport_required
        )
    return TransformSetSpec(ts.name, encr, bits, integ, "tunnel")


def identity_match(match: ConfigIdentityMatch) -> IdentityMatch:
    if match.kind is IdentityKind.ADDRESS:
        network = query.identity_network(match)
        return IdentityMatch("address", str(network) if network else match.value)
    kind = {IdentityKind.FQDN: "fqdn", IdentityKind.EMAIL: "email", IdentityKind.ANY: "any"}.get(
        match.kind, "key-id"
    )
    return IdentityMatch(kind, match.value, match.domain)  # type: ignore[arg-type]


def engine_identity(identity: ConfigIdentity) -> Identity:
    if identity.kind is IdentityKind.ADDRESS:
        return Identity.address(identity.value)
    if identity.kind is IdentityKind.FQDN:
        return Identity.fqdn(identity.value)
    if identity.kind is IdentityKind.EMAIL:
        return Identity.email(identity.value)
    return Identity.key_id(identity.value)


_NAMED_KINDS = {
    IdType.ID_FQDN: IdentityKind.FQDN,
    IdType.ID_RFC822_ADDR: IdentityKind.EMAIL,
    IdType.ID_KEY_ID: IdentityKind.KEY_ID,
}


def config_identity(identity: Identity | None) -> ConfigIdentity | None:
    """The identity a peer presented, in the config model's terms (None for kinds a
    profile cannot match, such as distinguished names)."""
    if identity is None:
        return None
    ip = identity.ip
    if ip is not None:
        return ConfigIdentity.address(ip)
    kind = _NAMED_KINDS.get(identity.id_type)
    if kind is None:
        return None
    return ConfigIdentity(kind, identity.data.decode("utf-8", "replace"))


def _usable(secret: Secret | None) -> bytes | None:
    if secret is None or not secret.usable:
        return None
    return secret.reveal_bytes()


# --- tunnels -----------------------------------------------------------------------------


def _tunnel_specs(
    child: query.ChildSaPolicy, peers: Sequence[Endpoint], lines: _CryptoMapLines
) -> list[TunnelSpec]:
    """One spec per peer and per selector pair of a tunnel or crypto map entry."""
    if child.local is None or child.ikev2_profile is None:
        return []
    local = Endpoint(child.local)
    transform_sets = tuple(transform_set_spec(ts) for ts in child.transform_sets if ts.ah is None)
    if child.transform_sets and not transform_sets:
        return []  # every set has AH (query.ah_reason): never negotiated, not even as ESP alone
    names = lines.get(child.name, ())
    if len(names) != len(child.selectors):  # a tunnel interface: one name for all
        names = (child.name,) * len(child.selectors)
    specs = [
        TunnelSpec(
            name,
            local,
            peer,
            child.ikev2_profile.name,
            _modes_for(transform_sets, (local_ts, remote_ts), (local, peer)),
            child.pfs,
            (local_ts,),
            (remote_ts,),
            child.lifetime_seconds,
            child.lifetime_kilobytes,
            child.replay_window,
            child.idle_seconds,
            named_by_selectors=child.dynamic,
        )
        for peer in peers
        if peer.address.version == local.address.version
        for name, (local_ts, remote_ts) in zip(names, child.selectors, strict=True)
    ]
    # `mode transport require` for more than the peers' own traffic: nothing to offer
    # (query.transport_reason says so)
    return [spec for spec in specs if spec.transform_sets or not transform_sets]


def _modes_for(
    transform_sets: tuple[TransformSetSpec, ...],
    selectors: tuple[TrafficSelector, TrafficSelector],
    ends: tuple[Endpoint, Endpoint],
) -> tuple[TransformSetSpec, ...]:
    """The transform sets as negotiated for one selector pair: `mode transport` only for the
    peers' own traffic (`query.peers_own_traffic`); beyond it a set that requires transport
    mode is not negotiated at all, and the others in tunnel mode."""
    if query.peers_own_traffic(selectors, ends[0].address, ends[1].address):
        return transform_sets
    return tuple(replace(ts, mode="tunnel") for ts in transform_sets if not ts.transport_required)


# The SA names of each crypto map entry's permit lines, by entry name; in the order of
# `query.acl_selectors`, which turns the same lines into selector pairs.
_CryptoMapLines = Mapping[str, tuple[str, ...]]


def _crypto_map_lines(cfg: Config) -> _CryptoMapLines:
    return {
        entry.name: entry.line_names
        for map_name in cfg.crypto_maps
        for entry in map_entries(cfg, map_name)
    }


def _enabled(cfg: Config, child: query.ChildSaPolicy) -> bool:
    """A tunnel interface that is shut down negotiates nothing."""
    parts = query.multipoint_parts(child.name)
    iface = cfg.interfaces.get(parts[0] if parts is not None else child.name)
    return iface is None or not iface.shutdown


def tunnels_to_initiate(cfg: Config) -> list[TunnelSpec]:
    """What the router brings up on its own: each protected tunnel interface with a
    destination, and each applied crypto map entry with a peer (towards its first peer)."""
    out: list[TunnelSpec] = []
    lines = _crypto_map_lines(cfg)
    for child in query.child_sa_policies(cfg):
        if not child.peers or not _enabled(cfg, child):
            continue
        if child.name not in lines and child.peers[0] == child.local:
            continue  # a tunnel to its own source: query names it, nothing to negotiate
        out += _tunnel_specs(child, [Endpoint(child.peers[0])], lines)
    return out


def tunnel_spec_toward(cfg: Config, tunnel: str, peer: IPAddress) -> TunnelSpec | None:
    """Tunnel `tunnel` (`tunnel destination dynamic`) toward `peer`, the hub a FlexVPN client
    chose for it; None when the tunnel cannot negotiate."""
    iface = cfg.interfaces.get(tunnel)
    if iface is None:
        return None
    aimed = replace(iface, tunnel_destination=str(peer))
    child = query.tunnel_policy(replace(cfg, interfaces={**cfg.interfaces, tunnel: aimed}), tunnel)
    if child is None or not child.peers:
        return None
    specs = _tunnel_specs(child, [Endpoint(peer)], {})
    return specs[0] if specs else None


# --- the Policy --------------------------------------------------------------------------


@dataclass
class ConfigPolicy:
    """The engine's Policy for one router's configuration. Each question names the local
    address; its front-door VRF is that of the interface holding it (`vrf forwarding`), so
    `match fvrf` in policies and profiles selects as on IOS."""

    config: Config
    keys: RouterKeys = field(default_factory=RouterKeys, repr=False)
    # The router's clock at the engine's time zero (certificates are valid or not by it).
    epoch: datetime = SEED_EPOCH
    crls: dict[str, tuple[x509.CertificateRevocationList, ...]] = field(
        default_factory=dict, repr=False
    )
    # Whether peers may set up SAs through dynamic crypto map entries (`pyike run` cannot
    # carry their traffic: it refuses them rather than bring up SAs that carry nothing)
    dynamic_maps: bool = True
    _settings: EngineSettings = field(init=False, repr=False)
    _pki: RouterPki | None = field(init=False, repr=False)
    # The configuration never changes under a ConfigPolicy (a reload makes a new one), so
    # each answer is worked out once per question: every new SA asks the same ones. A
    # question names an address by its text (Endpoint.host): equal exactly when the addresses
    # are, and a str keeps its hash, which an ipaddress works out again each time.
    _answers: Answers = field(init=False, repr=False, compare=False)
    _authorizer: FlexvpnAuthorizer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._answers = Answers()
        self._authorizer = FlexvpnAuthorizer(self.config)
        ike = query.ike_sa_settings(self.config, None)
        self._settings = EngineSettings(
            window_size=ike.window,
            cookie_challenge=ike.cookie_challenge,
            max_in_negotiation=ike.max_in_negotiation_in,
            fragmentation_mtu=ike.fragmentation_mtu,
            nat_keepalive=ike.nat_keepalive,
        )
        label = default_label(self.config)
        self._pki = router_pki(self.config, self.keys, label, self.profile, self.epoch, self.crls)

    @property
    def settings(self) -> EngineSettings:
        return self._settings

    @property
    def certificates(self) -> RouterPki | None:
        return self._pki

    @property
    def authorization(self) -> FlexvpnAuthorizer:
        return self._authorizer

    @property
    def eap(self) -> ConfigEapDirectory:
        return ConfigEapDirectory(self.config)

    def ike_proposals(self, local: Endpoint) -> Sequence[IkeProposalSpec]:
        return list(
            self._answers.get(
                ("proposals", local.host),
                lambda: tuple(
                    ike_proposal_spec(p)
                    for p in query.proposals_for(self.config, local.address, self._fvrf(local))
                ),
            )
        )

    def _fvrf(self, local: Endpoint) -> str | None:
        return self._answers.get(
            ("fvrf", local.host), lambda: query.vrf_of_address(self.config, local.address)
        )

    def _config_profile(self, name: str) -> ConfigProfile | None:
        return self.config.profiles.get(name)

    def _spec(self, profile: ConfigProfile) -> ProfileSpec:
        ike = query.ike_sa_settings(self.config, profile)
        dpd = None
        if ike.dpd is not None:
            periodic = ike.dpd.mode == "periodic"
            dpd = DpdSettings(
                ike.dpd.interval, ike.dpd.retry, "periodic" if periodic else "on-demand"
            )
        return ProfileSpec(
            profile.name,
            tuple(identity_match(m) for m in profile.match_identities),
            (),  # keys are looked up in the config (signing_key, verification_key)
            None if profile.local_identity is None else engine_identity(profile.local_identity),
            ike.lifetime,
            dpd,
            ike.nat_keepalive,
            profile.auth_local[0] if profile.auth_local else "none",
            profile.auth_remote,
            eap_query_identity=profile.eap_remote.query_identity,
            eap_timeout=profile.eap_remote.timeout,
        )

    def profile(self, name: str) -> ProfileSpec | None:
        return self._answers.get(("profile", name), lambda: self._profile(name))

    def _profile(self, name: str) -> ProfileSpec | None:
        profile = self._config_profile(name)
        return None if profile is None else self._spec(profile)

    def profile_for_identity(self, local: Endpoint, identity: Identity) -> ProfileSpec | None:
        return self._answers.get(
            ("profile for", local.host, identity),
            lambda: self._profile_for_identity(local, identity),
        )

    def _profile_for_identity(self, local: Endpoint, identity: Identity) -> ProfileSpec | None:
        remote = config_identity(identity)
        if remote is None:  # a distinguished name: only `match identity remote any` takes it
            remote = ConfigIdentity(IdentityKind.ANY, "")
        profile = query.match_profile(self.config, remote, local.address, self._fvrf(local))
        return None if profile is None else self.profile(profile.name)

    def local_identity(self, profile: ProfileSpec, local: Endpoint) -> Identity:
        configured = self._config_profile(profile.name)
        dn = (
            configured is not None
            and configured.local_identity is not None
            and (configured.local_identity.kind is IdentityKind.DN)
        )
        if dn and self._pki is not None:
            subject = self._pki.local_dn(profile.name)
            if subject is not None:
                return subject
        if profile.local_identity is not None:
            return profile.local_identity
        return self._answers.get(
            ("address identity", local.host), lambda: Identity.address(local.address)
        )

    def _keys(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> query.PskChoice | None:
        return self._answers.get(
            ("keys", profile.name, remote.host, remote_id),
            lambda: self._find_keys(profile, remote, remote_id),
        )

    def _find_keys(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> query.PskChoice | None:
        configured = self._config_profile(profile.name)
        if configured is None:
            return None
        return query.psk_for_peer(
            self.config, configured, remote.address, config_identity(remote_id)
        )

    def signing_key(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> bytes | None:
        keys = self._keys(profile, remote, remote_id)
        return None if keys is None else _usable(keys.local)

    def verification_key(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> bytes | None:
        keys = self._keys(profile, remote, remote_id)
        return None if keys is None else _usable(keys.remote)

    def tunnels_for_peer(
        self, local: Endpoint, remote: Endpoint, profile: ProfileSpec | None
    ) -> Sequence[TunnelSpec]:
        return list(
            self._answers.get(
                (
                    "tunnels",
                    local.host,
                    remote.host,
                    remote.port,
                    None if profile is None else profile.name,
                ),
                lambda: tuple(self._tunnels_for_peer(local, remote, profile)),
            )
        )

    def _tunnels_for_peer(
        self, local: Endpoint, remote: Endpoint, profile: ProfileSpec | None
    ) -> list[TunnelSpec]:
        out: list[TunnelSpec] = []
        lines = self._answers.get(("crypto map lines",), lambda: _crypto_map_lines(self.config))
        for child in query.child_sa_policies(self.config):
            if child.multipoint:  # any peer NHRP finds: the policy toward this one
                child = query.peer_policy(child, remote.address)
            if child.template:  # a clone for a peer the profile authorizes
                if not self._clones(child, profile):
                    continue
                child = query.template_policy(child, self.config, local.address, remote.address)
            if child.dynamic:  # any peer its IKEv2 profile authenticated
                if profile is None or child.ikev2_profile is None or not self.dynamic_maps:
                    continue
                if child.ikev2_profile.name != profile.name:
                    continue
                child = replace(child, peers=(remote.address,))
            if remote.address not in child.peers or not _enabled(self.config, child):
                continue
            if child.local is not None and child.local != local.address:
                continue
            if (
                profile is not None
                and not child.template
                and (child.ikev2_profile is None or child.ikev2_profile.name != profile.name)
            ):
                continue
            out += _tunnel_specs(child, [remote], lines)
        return out

    def _clones(self, template: query.ChildSaPolicy, profile: ProfileSpec | None) -> bool:
        """The peer's profile has `virtual-template N` naming this template."""
        configured = self._config_profile(profile.name) if profile is not None else None
        number = query.template_number(template.name)
        return configured is not None and configured.flex.virtual_template == number


def router_keys(cfg: Config) -> RouterKeys:
    """The private keys beside the router's configuration file, for its trustpoints."""
    if not cfg.trustpoints or not Path(cfg.file).is_file():
        return RouterKeys()
    try:
        return RouterKeys(load_router_keys(cfg.file, cfg))
    except KeyFileError as error:
        return RouterKeys(problems={"": str(error)})


def policy_for_config(
    cfg: Config,
    *,
    epoch: datetime = SEED_EPOCH,
    keys: RouterKeys | None = None,
    crls: Mapping[str, tuple[x509.CertificateRevocationList, ...]] | None = None,
    dynamic_maps: bool = True,
) -> tuple[ConfigPolicy, list[TunnelSpec]]:
    """The router's Policy and the tunnels it initiates; ``epoch``: the router's clock at
    the engine's time zero (the lab's, unless the gateway says). ``keys``: its private keys
    (by default read from beside its configuration file); ``crls``: CRLs by trustpoint, as
    fetched from a CDP, besides the trustpoints' CRL files; ``dynamic_maps``: whether peers
    may set up SAs through dynamic crypto map entries."""
    found = router_keys(cfg) if keys is None else keys
    policy = ConfigPolicy(cfg, found, epoch, dict(crls or {}), dynamic_maps)
    return policy, tunnels_to_initiate(cfg)


__all__ = [
    "ConfigPolicy",
    "config_identity",
    "engine_identity",
    "identity_match",
    "ike_proposal_spec",
    "policy_for_config",
    "transform_set_spec",
    "tunnels_to_initiate",
]
