"""The questions the engine asks of its configuration, as a narrow Protocol, and a plain
dataclass implementation (StaticPolicy) for tests and for callers without an IOS config.

Defaults are IOS 15.x / IOS-XE 16.x smart defaults: the default IKEv2 proposal (declared with
the transform catalogue), IKE SA lifetime 86400 s, child SA 3600 s / 4608000 KB, window 5,
DPD off.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Literal, Protocol

from pyike.codec.registry import DhId, EncrId, HashAlgorithm, IdType, IntegId, PrfId
from pyike.crypto import catalogue
from pyike.crypto.auth import PrivateKey, PublicKey
from pyike.ike.config_mode import Authorizer
from pyike.ike.eap_directory import EapDirectory
from pyike.ike.events import Endpoint, IPAddress
from pyike.ios_names import SIGNATURE_METHODS
from pyike.traffic_selector import TrafficSelector

DEFAULT_IKE_LIFETIME = 86400
DEFAULT_CHILD_SECONDS = 3600
DEFAULT_CHILD_KILOBYTES = 4608000
DEFAULT_WINDOW = 5
# Per SA: enum members as module globals (DESIGN.md, Per-SA cost).
_ADDRESS_ID_TYPES = (IdType.ID_IPV4_ADDR, IdType.ID_IPV6_ADDR)
_DN = IdType.ID_DER_ASN1_DN


@dataclass(frozen=True)
class IkeProposalSpec:
    """A `crypto ikev2 proposal`: every value of each kind, in configured order."""

    name: str
    encryption: tuple[tuple[EncrId, int | None], ...]
    integrity: tuple[IntegId, ...]
    prf: tuple[PrfId, ...]
    groups: tuple[DhId, ...]


def ike_proposal(
    name: str,
    encryption: Sequence[tuple[EncrId, int | None]],
    integrity: Sequence[IntegId],
    groups: Sequence[DhId],
    prf: Sequence[PrfId] = (),
) -> IkeProposalSpec:
    """A proposal as IOS builds it: without `prf`, one PRF per integrity algorithm."""
    prfs = tuple(prf) or catalogue.prfs_paired_with(integrity)
    return IkeProposalSpec(name, tuple(encryption), tuple(integrity), prfs, tuple(groups))


_DEFAULT = catalogue.IOS_DEFAULT_IKE_PROPOSAL
DEFAULT_IKE_PROPOSAL = ike_proposal(
    "default",
    tuple((e.id, e.key_length) for e in _DEFAULT.encryption),
    _DEFAULT.integrity_ids,
    _DEFAULT.group_ids,
)


@dataclass(frozen=True)
class Identity:
    """An IKE identity (IDi/IDr body without the reserved octets)."""

    id_type: IdType
    data: bytes
    # How a distinguished name prints (IOS's "cn=R1,o=Lab"): the DER alone cannot say
    # without a certificate, which the PKI reads.
    text: str | None = field(default=None, compare=False)

    @classmethod
    def address(cls, address: IPAddress | str) -> Identity:
        ip = ipaddress.ip_address(address)
        kind = IdType.ID_IPV4_ADDR if ip.version == 4 else IdType.ID_IPV6_ADDR
        return cls(kind, ip.packed)

    @classmethod
    def fqdn(cls, name: str) -> Identity:
        return cls(IdType.ID_FQDN, name.encode())

    @classmethod
    def email(cls, name: str) -> Identity:
        return cls(IdType.ID_RFC822_ADDR, name.encode())

    @classmethod
    def key_id(cls, value: str) -> Identity:
        return cls(IdType.ID_KEY_ID, value.encode())

    @classmethod
    def dn(cls, der: bytes, text: str | None = None) -> Identity:
        """ID_DER_ASN1_DN: a certificate's subject, DER-encoded."""
        return cls(IdType.ID_DER_ASN1_DN, der, text)

    @property
    def is_dn(self) -> bool:
        return self.id_type == _DN

    @property
    def ip(self) -> IPAddress | None:
        if self.id_type in _ADDRESS_ID_TYPES:
            try:
                return ipaddress.ip_address(self.data)
            except ValueError:
                return None
        return None

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        """Worked out once: an SA's identities key the engine's indexes and the policy's
        answers, hashed several times each (the fields compared: not ``text``)."""
        return hash((self.id_type, self.data))

    def __str__(self) -> str:
        return self._printed

    @cached_property
    def _printed(self) -> str:
        """Worked out once: the local identity is one object, printed for every SA of it."""
        ip = self.ip
        if ip is not None:
            return str(ip)
        if self.text is not None:
            return self.text
        if self.is_dn:
            return self.data.hex()
        return self.data.decode("utf-8", "replace")


@dataclass(frozen=True)
class IdentityMatch:
    """`match identity remote ...`. An address of 0.0.0.0 (or ::) without a mask matches any
    address; ``value`` for an address is "A" or "A/prefix". ``domain``: `match identity remote
    fqdn domain D` / `email domain D`, matching D and the names under it."""

    kind: Literal["address", "fqdn", "email", "key-id", "any"]
    value: str
    domain: bool = False

    def matches(self, identity: Identity) -> bool:
        if self.kind == "any":  # `match identity remote any`
            return True
        if self.kind == "address":
            ip = identity.ip
            if ip is None:
                return False
            if self.value in ("0.0.0.0", "::"):
                return True
            return ip in _match_network(self.value)
        wanted = {
            "fqdn": IdType.ID_FQDN,
            "email": IdType.ID_RFC822_ADDR,
            "key-id": IdType.ID_KEY_ID,
        }[self.kind]
        if identity.id_type != wanted:
            return False
        text = identity.data.decode("utf-8", "replace")
        if self.kind == "key-id":
            return text == self.value
        if not self.domain:
            return text.lower() == self.value.lower()
        if self.kind == "email":
            return text.rpartition("@")[2].lower() == self.value.lower()
        name, domain = text.lower().rstrip("."), self.value.lower().rstrip(".")
        return name == domain or name.endswith("." + domain)


@lru_cache(maxsize=256)
def _match_network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """An address match's prefix, parsed once: a profile's are checked in every IKE_AUTH."""
    return ipaddress.ip_network(value, strict=False)


@dataclass(frozen=True)
class KeyringPeer:
    """A keyring `peer`: found by identity, then address prefix, then hostname."""

    name: str
    local_key: bytes = field(repr=False)
    remote_key: bytes = field(repr=False)
    address: str | None = None
    hostname: str | None = None
    identity: Identity | None = None


@dataclass(frozen=True)
class DpdSettings:
    interval: int
    retry: int
    mode: Literal["on-demand", "periodic"] = "on-demand"


@dataclass(frozen=True)
class ProfileSpec:
    """A `crypto ikev2 profile`."""

    name: str
    match_remote: tuple[IdentityMatch, ...]
    keyring: tuple[KeyringPeer, ...] = ()
    local_identity: Identity | None = None
    lifetime: int = DEFAULT_IKE_LIFETIME
    dpd: DpdSettings | None = None
    nat_keepalive: int | None = None
    # `authentication local|remote`: IOS's method keywords (pre-share, rsa-sig, ecdsa-sig).
    auth_local: str = "pre-share"
    auth_remote: tuple[str, ...] = ("pre-share",)
    eap_query_identity: bool = False  # `authentication remote eap query-identity`
    eap_timeout: int | None = None  # `authentication remote eap timeout N` (seconds)

    @property
    def signs(self) -> bool:
        """This side authenticates itself with a certificate."""
        return self.auth_local in SIGNATURE_METHODS

    @property
    def verifies_signatures(self) -> bool:
        """A peer may authenticate itself with a certificate."""
        return any(m in SIGNATURE_METHODS for m in self.auth_remote)

    @property
    def uses_certificates(self) -> bool:
        return self.signs or self.verifies_signatures


@dataclass(frozen=True)
class SigningCredential:
    """What this side signs its AUTH with: the private key of a trustpoint and the
    certificates it sends in CERT payloads, its own first, then the CAs above it (never the
    root the peer already trusts)."""

    trustpoint: str
    key: PrivateKey = field(repr=False)
    chain: tuple[bytes, ...]
    hash: HashAlgorithm = HashAlgorithm.SHA2_256  # the trustpoint's `hash`, for Digital Signature


@dataclass(frozen=True)
class PeerCertificate:
    """The verdict on the certificates a peer sent. ``public_key`` is None when the peer is
    refused, and ``failure`` says why (IOS's words); ``pki`` holds what `debug crypto pki
    validation` and `transactions` print, as (topic, text); ``alerts`` the console messages
    (%PKI-3-...). ``subject`` is the end certificate's subject as IOS prints it."""

    public_key: PublicKey | None
    subject: str
    failure: str | None = None
    pki: tuple[tuple[str, str], ...] = ()
    alerts: tuple[str, ...] = ()


class Certificates(Protocol):
    """The engine's view of the router's PKI (trustpoints, keys, revocation), for profiles
    with `authentication ... rsa-sig|ecdsa-sig`. ``now`` is the engine's clock; the
    implementation knows the router's wall-clock time it stands for."""

    def authorities(self, profile: ProfileSpec | None) -> bytes:
        """The CERTREQ Certification Authority field: the SHA-1 hashes of the public keys
        of the CAs this side trusts for ``profile`` (None: for any profile, as a responder
        answers IKE_SA_INIT before it knows the peer). Empty when it trusts none."""
        ...

    def credential(self, profile: ProfileSpec) -> SigningCredential | str:
        """What signs for ``profile``, or why nothing can."""
        ...

    def check_peer(
        self, profile: ProfileSpec, certificates: Sequence[bytes], identity: Identity, now: float
    ) -> PeerCertificate:
        """Validates the chain the peer sent (its own certificate first) against the
        profile's trustpoints, at ``now``, and its identity against the certificate."""
        ...

    def profile_for_certificate(
        self, local: Endpoint, certificates: Sequence[bytes]
    ) -> ProfileSpec | None:
        """The first profile a `match certificate MAP` selects for the peer's certificate."""
        ...


@dataclass(frozen=True)
class TransformSetSpec:
    """A `crypto ipsec transform-set`. ``integ`` is NONE for an AEAD cipher. ``mode``
    transport asks for transport mode and accepts tunnel mode instead unless
    ``transport_required`` (`mode transport require`)."""

    name: str
    encr: EncrId
    key_bits: int | None = None
    integ: IntegId = IntegId.NONE
    mode: Literal["tunnel", "transport"] = "tunnel"
    esn: bool = False
    transport_required: bool = False


@dataclass(frozen=True)
class TunnelSpec:
    """What a router protects with one peer: a tunnel interface (VTI: any/any selectors) or a
    crypto map entry (selectors from its ACL)."""

    name: str
    local: Endpoint
    remote: Endpoint
    profile: str
    transform_sets: tuple[TransformSetSpec, ...]
    pfs_group: DhId | None = None
    local_ts: tuple[TrafficSelector, ...] = (TrafficSelector.any4(),)
    remote_ts: tuple[TrafficSelector, ...] = (TrafficSelector.any4(),)
    lifetime_seconds: int = DEFAULT_CHILD_SECONDS
    lifetime_kilobytes: int = DEFAULT_CHILD_KILOBYTES
    replay_window: int | None = None  # anti-replay window; None: the ESP layer's default
    # IPsec SA idle timer: an SA that carries nothing so long is deleted (None: never)
    idle_seconds: int | None = None
    # A responder's template for whatever selectors the peer asks (a dynamic crypto map
    # entry): each Child SA made from it goes by its name and the peer's side of the selectors
    named_by_selectors: bool = False


@dataclass(frozen=True)
class EngineSettings:
    """Global `crypto ikev2 ...` settings plus the protocol timers IOS does not expose.

    ``prefer_own_order``: a responder picks transforms in its own configured order (True, the
    IOS behaviour pyike models) or in the initiator's order.

    ``force_encap``: pretend a NAT is in the path (strongSwan's ``encap = yes``): this side
    sends a NAT_DETECTION_SOURCE_IP hash that cannot match, so both peers float to port 4500
    and carry ESP in UDP (RFC 3948) although no NAT rewrote anything.
    """

    window_size: int = DEFAULT_WINDOW
    cookie_challenge: int | None = None
    max_in_negotiation: int | None = None
    fragmentation_mtu: int | None = None
    nat_keepalive: int | None = None
    retransmit_interval: float = 2.0
    retransmit_limit: int = 5
    half_open_timeout: float = 30.0
    delete_negotiation_timeout: float = 10.0
    cookie_secret_lifetime: float = 300.0
    prefer_own_order: bool = True
    force_encap: bool = False


class Policy(Protocol):
    """The engine's only view of configuration."""

    @property
    def settings(self) -> EngineSettings: ...

    def ike_proposals(self, local: Endpoint) -> Sequence[IkeProposalSpec]:
        """Proposals of the IKEv2 policy for this local address, in configured order."""
        ...

    def profile(self, name: str) -> ProfileSpec | None: ...

    def profile_for_identity(self, local: Endpoint, identity: Identity) -> ProfileSpec | None:
        """The first profile whose `match identity remote` matches."""
        ...

    def local_identity(self, profile: ProfileSpec, local: Endpoint) -> Identity: ...

    def signing_key(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> bytes | None:
        """The PSK this side signs its AUTH with (`pre-shared-key local`)."""
        ...

    def verification_key(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> bytes | None:
        """The PSK the peer's AUTH is verified with (`pre-shared-key remote`)."""
        ...

    def tunnels_for_peer(
        self, local: Endpoint, remote: Endpoint, profile: ProfileSpec | None
    ) -> Sequence[TunnelSpec]:
        """Child SA policies a responder may use with this peer, most specific first."""
        ...

    @property
    def certificates(self) -> Certificates | None:
        """The router's PKI, or None when it has none (then no profile can use certificates)."""
        ...

    @property
    def authorization(self) -> Authorizer | None:
        """FlexVPN's configuration exchange (ike/config_mode.py); None: no CFG payloads."""
        ...

    @property
    def eap(self) -> EapDirectory | None:
        """EAP users and credentials (ike/eap_auth.py); None: no profile can use EAP."""
        ...


def find_keyring_peer(
    keyring: Sequence[KeyringPeer], remote: Endpoint, remote_id: Identity | None
) -> KeyringPeer | None:
    """IOS keyring lookup: identity first, then the longest address prefix, then hostname."""
    if remote_id is not None:
        for peer in keyring:
            if peer.identity == remote_id:
                return peer
    best: KeyringPeer | None = None
    best_len = -1
    for peer in keyring:
        if peer.address is None:
            continue
        net = ipaddress.ip_network(peer.address, strict=False)
        if remote.address in net and net.prefixlen > best_len:
            best, best_len = peer, net.prefixlen
    if best is not None:
        return best
    if remote_id is not None and remote_id.id_type == IdType.ID_FQDN:
        name = remote_id.data.decode("utf-8", "replace").lower()
        for peer in keyring:
            if peer.hostname is not None and peer.hostname.lower() == name:
                return peer
    return None


@dataclass(frozen=True)
class StaticPolicy:
    """A Policy from plain values."""

    proposals: tuple[IkeProposalSpec, ...] = (DEFAULT_IKE_PROPOSAL,)
    profiles: tuple[ProfileSpec, ...] = ()
    tunnels: tuple[TunnelSpec, ...] = ()
    engine_settings: EngineSettings = field(default_factory=EngineSettings)
    pki: Certificates | None = None
    authorizer: Authorizer | None = None
    eap_directory: EapDirectory | None = None

    @property
    def settings(self) -> EngineSettings:
        return self.engine_settings

    @property
    def authorization(self) -> Authorizer | None:
        return self.authorizer

    @property
    def certificates(self) -> Certificates | None:
        return self.pki

    @property
    def eap(self) -> EapDirectory | None:
        return self.eap_directory

    def ike_proposals(self, local: Endpoint) -> Sequence[IkeProposalSpec]:
        return self.proposals

    def profile(self, name: str) -> ProfileSpec | None:
        return next((p for p in self.profiles if p.name == name), None)

    def profile_for_identity(self, local: Endpoint, identity: Identity) -> ProfileSpec | None:
        for profile in self.profiles:
            if any(m.matches(identity) for m in profile.match_remote):
                return profile
        return None

    def local_identity(self, profile: ProfileSpec, local: Endpoint) -> Identity:
        return profile.local_identity or Identity.address(local.address)

    def signing_key(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> bytes | None:
        peer = find_keyring_peer(profile.keyring, remote, remote_id)
        return None if peer is None else peer.local_key

    def verification_key(
        self, profile: ProfileSpec, remote: Endpoint, remote_id: Identity | None
    ) -> bytes | None:
        peer = find_keyring_peer(profile.keyring, remote, remote_id)
        return None if peer is None else peer.remote_key

    def tunnels_for_peer(
        self, local: Endpoint, remote: Endpoint, profile: ProfileSpec | None
    ) -> Sequence[TunnelSpec]:
        return [
            t
            for t in self.tunnels
            if t.remote.address == remote.address and (profile is None or t.profile == profile.name)
        ]
