"""A Child SA as the IKE side knows it: SPIs, transforms, keys, selectors, lifetimes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from pyike.codec.registry import PrfId
from pyike.crypto.keys import ChildKeys, derive_child_keys
from pyike.ike.events import ChildSaInfo, Endpoint
from pyike.ike.policy import TunnelSpec
from pyike.ike.proposals import ChildTransform
from pyike.ike.rekey_outcome import RekeyOutcome
from pyike.traffic_selector import TrafficSelector

if TYPE_CHECKING:
    from pyike.ike.child_select import ChildChoice

# Share of the lifetime after which a Child SA is rekeyed: the side that created it first,
# the other a little later so that both rarely start at once.
SOFT_LIFETIME_INITIATOR = 0.90
SOFT_LIFETIME_RESPONDER = 0.95

# A rekey the peer refused for good (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, NO_ADDITIONAL_SAS,
# ...) is tried again after this many seconds, doubled after each further refusal up to the
# cap: a strict peer is not asked in a loop, and a peer that changes its mind (a reloaded
# configuration) is asked again within minutes.
REFUSED_REKEY_RETRY = 15.0
REFUSED_REKEY_RETRY_MAX = 240.0


def refused_rekey_delay(refusals: int) -> float:
    """Seconds before the next rekey attempt after the ``refusals``-th refusal in a row."""
    doublings = min(max(refusals - 1, 0), 16)
    return min(REFUSED_REKEY_RETRY * (1 << doublings), REFUSED_REKEY_RETRY_MAX)


class ChildState(StrEnum):
    INSTALLED = "installed"
    REKEYING = "rekeying"
    REKEYED = "rekeyed"
    DELETING = "deleting"


@dataclass
class ChildSa:
    spi_in: bytes
    spi_out: bytes
    transform: ChildTransform
    keys: ChildKeys = field(repr=False)
    local_ts: tuple[TrafficSelector, ...]
    remote_ts: tuple[TrafficSelector, ...]
    tunnel: TunnelSpec | None
    initiator: bool  # this side initiated the exchange that made it
    created_at: float
    lifetime_seconds: int
    lifetime_kilobytes: int
    state: ChildState = ChildState.INSTALLED
    kilobytes_used: int = 0
    # rekey bookkeeping (collisions.py): our exchange in flight, and the outcomes seen
    rekey_pending: bool = False
    rekey_ours: RekeyOutcome[ChildSa] | None = None
    rekey_theirs: RekeyOutcome[ChildSa] | None = None
    retry_at: float | None = None  # rekey again then (the peer refused, or was busy)
    rekey_refusals: int = 0  # refusals in a row (a temporary failure is not one)
    # (Ni, Nr) of the CREATE_CHILD_SA exchange that created it, not a rekey: the duplicate
    # check (child_duplicates.py) compares them when two creations for a tunnel crossed
    creation_nonces: tuple[bytes, bytes] | None = None

    @classmethod
    def negotiated(
        cls,
        choice: ChildChoice,
        *,
        spi_in: bytes,
        keys: ChildKeys,
        initiator: bool,
        now: float,
        tunnel: TunnelSpec | None = None,
        creation_nonces: tuple[bytes, bytes] | None = None,
    ) -> ChildSa:
        """The child SA an exchange agreed on (its transform with the mode settled). TSi is
        the initiator's side, so it is local on the side that initiated the exchange;
        `tunnel` defaults to the choice's."""
        spec = tunnel or choice.tunnel
        local, remote = (choice.tsi, choice.tsr) if initiator else (choice.tsr, choice.tsi)
        return cls(
            spi_in=spi_in,
            spi_out=choice.proposal.spi,
            transform=choice.transform,
            keys=keys,
            local_ts=local,
            remote_ts=remote,
            tunnel=spec,
            initiator=initiator,
            created_at=now,
            lifetime_seconds=spec.lifetime_seconds,
            lifetime_kilobytes=spec.lifetime_kilobytes,
            creation_nonces=creation_nonces,
        )

    @property
    def rekey_at(self) -> float:
        share = SOFT_LIFETIME_INITIATOR if self.initiator else SOFT_LIFETIME_RESPONDER
        return self.created_at + self.lifetime_seconds * share

    @property
    def next_rekey_at(self) -> float:
        return self.retry_at if self.retry_at is not None else self.rekey_at

    @property
    def expire_at(self) -> float:
        return self.created_at + self.lifetime_seconds

    def soft_kilobytes_reached(self) -> bool:
        share = SOFT_LIFETIME_INITIATOR if self.initiator else SOFT_LIFETIME_RESPONDER
        return self.kilobytes_used >= self.lifetime_kilobytes * share

    def info(
        self, ike_sa_id: int, local: Endpoint, remote: Endpoint, udp_encap: bool
    ) -> ChildSaInfo:
        return ChildSaInfo(
            ike_sa_id=ike_sa_id,
            spi_in=self.spi_in,
            spi_out=self.spi_out,
            encr=self.transform.encr,
            encr_key_bits=self.transform.key_bits,
            integ=self.transform.integ,
            esn=self.transform.esn,
            local_ts=self.local_ts,
            remote_ts=self.remote_ts,
            mode=self.transform.mode,
            lifetime_seconds=self.lifetime_seconds,
            lifetime_kilobytes=self.lifetime_kilobytes,
            udp_encapsulation=udp_encap,
            local=local,
            remote=remote,
            pfs_group=None if self.transform.dh is None else int(self.transform.dh),
            tunnel=None if self.tunnel is None else self.tunnel.name,
            initiator=self.initiator,
            keys=self.keys,
            replay_window=None if self.tunnel is None else self.tunnel.replay_window,
        )


def child_keys(
    prf: PrfId, sk_d: bytes, ni: bytes, nr: bytes, shared: bytes | None, t: ChildTransform
) -> ChildKeys:
    return derive_child_keys(prf, sk_d, ni, nr, shared, t.encr, t.key_bits, t.integ)
