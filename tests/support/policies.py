"""Router policies for the engines of the in-memory harness, the seed's among them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pyike.codec.registry import DhId, EncrId, IntegId
from pyike.ike import (
    DEFAULT_IKE_PROPOSAL,
    DpdSettings,
    Endpoint,
    EngineSettings,
    IdentityMatch,
    IkeProposalSpec,
    KeyringPeer,
    ProfileSpec,
    StaticPolicy,
    TrafficSelector,
    TransformSetSpec,
    TunnelSpec,
    ike_proposal,
)

R1 = "10.0.0.1"
R2 = "10.0.0.2"

PHASE1_PROP = ike_proposal(
    "PHASE1-prop",
    ((EncrId.TRIPLE_DES, None), (EncrId.AES_CBC, 128)),
    (IntegId.HMAC_SHA1_96,),
    (DhId.MODP_1024,),
)
TS_3DES_SHA = TransformSetSpec("TS", EncrId.TRIPLE_DES, None, IntegId.HMAC_SHA1_96)
TS_AES_SHA = TransformSetSpec("AES", EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96)
TS_GCM = TransformSetSpec("GCM", EncrId.AES_GCM_16, 256)
AES128_SHA1_MODP2048 = ike_proposal(
    "AES128", ((EncrId.AES_CBC, 128),), (IntegId.HMAC_SHA1_96,), (DhId.MODP_2048,)
)


def site(
    local: str,
    remote: str,
    *,
    proposals: tuple[IkeProposalSpec, ...] = (DEFAULT_IKE_PROPOSAL,),
    psk_local: bytes = b"cisco",
    psk_remote: bytes = b"cisco",
    lifetime: int = 86400,
    transform_sets: tuple[TransformSetSpec, ...] = (TS_3DES_SHA,),
    pfs: DhId | None = None,
    local_ts: tuple[TrafficSelector, ...] = (TrafficSelector.any4(),),
    remote_ts: tuple[TrafficSelector, ...] = (TrafficSelector.any4(),),
    settings: EngineSettings | None = None,
    dpd: DpdSettings | None = None,
    match: tuple[IdentityMatch, ...] = (IdentityMatch("address", "0.0.0.0"),),
    child_seconds: int = 3600,
    keyring_address: str | None = None,
    auth_local: str = "pre-share",
    auth_remote: tuple[str, ...] = ("pre-share",),
) -> StaticPolicy:
    peer = KeyringPeer("peer", psk_local, psk_remote, address=keyring_address or f"{remote}/24")
    profile = ProfileSpec(
        "IKEV2-SETUP",
        match,
        (peer,),
        lifetime=lifetime,
        dpd=dpd,
        auth_local=auth_local,
        auth_remote=auth_remote,
    )
    tunnel = TunnelSpec(
        "Tunnel0",
        Endpoint.of(local),
        Endpoint.of(remote),
        "IKEV2-SETUP",
        transform_sets,
        pfs,
        local_ts,
        remote_ts,
        lifetime_seconds=child_seconds,
    )
    return StaticPolicy(proposals, (profile,), (tunnel,), settings or EngineSettings())


def seed_router1() -> StaticPolicy:
    return site(R1, R2, proposals=(PHASE1_PROP,), lifetime=120)


def seed_router2() -> StaticPolicy:
    return site(R2, R1, lifetime=120)


def tunnel_of(policy: StaticPolicy) -> TunnelSpec:
    return policy.tunnels[0]


def with_settings(policy: StaticPolicy, **changes: Any) -> StaticPolicy:
    return replace(policy, engine_settings=replace(policy.engine_settings, **changes))


class Reconfigured:
    """A router's policy that an operator can change while SAs are up (the engine asks its
    policy afresh for every exchange)."""

    def __init__(self, policy: StaticPolicy) -> None:
        self.current = policy

    @property
    def settings(self) -> EngineSettings:
        return self.current.settings

    def __getattr__(self, name: str) -> object:
        return getattr(self.current, name)
