"""Choosing a Child SA's transforms and selectors: the responder's choice and the
initiator's check of it, shared by IKE_AUTH and CREATE_CHILD_SA."""

from __future__ import annotations

from dataclasses import dataclass

from pyike.codec import Proposal, SaPayload, TsPayload
from pyike.codec.registry import NotifyType
from pyike.ike import ts as tsmod
from pyike.ike.events import TrafficSelector
from pyike.ike.ike_sa import IkeSa
from pyike.ike.policy import TunnelSpec
from pyike.ike.proposals import ChildTransform, accepted_esp, select_esp


@dataclass(frozen=True)
class ChildChoice:
    proposal: Proposal
    transform: ChildTransform
    tunnel: TunnelSpec
    tsi: tuple[TrafficSelector, ...]  # initiator's side, narrowed
    tsr: tuple[TrafficSelector, ...]


def responder_choice(
    sa: IkeSa,
    offer: SaPayload,
    tsi: TsPayload,
    tsr: TsPayload,
    *,
    allow_dh: bool,
    tunnel: TunnelSpec | None = None,
) -> ChildChoice | NotifyType:
    """Proposal first, then selectors, as IOS reports them: NO_PROPOSAL_CHOSEN when no
    transform set matches, TS_UNACCEPTABLE when the selectors narrow to nothing."""
    tunnels = (
        [tunnel]
        if tunnel is not None
        else list(sa.ctx.policy.tunnels_for_peer(sa.local, sa.remote, sa.profile))
    )
    if not tunnels:
        return NotifyType.NO_PROPOSAL_CHOSEN
    proposal_matched = False
    prefer_own = sa.ctx.settings.prefer_own_order
    for t in tunnels:
        pfs = t.pfs_group if allow_dh else None
        picked = select_esp(t.transform_sets, offer, pfs, allow_dh=allow_dh, prefer_own=prefer_own)
        if picked is None:
            continue
        proposal_matched = True
        # The initiator's TSi is this side's remote, its TSr this side's local.
        narrowed_i = tsmod.narrow(tsmod.from_payload(tsi), t.remote_ts)
        narrowed_r = tsmod.narrow(tsmod.from_payload(tsr), t.local_ts)
        if narrowed_i and narrowed_r:
            return ChildChoice(picked[0], picked[1], t, narrowed_i, narrowed_r)
    return NotifyType.TS_UNACCEPTABLE if proposal_matched else NotifyType.NO_PROPOSAL_CHOSEN


def initiator_check(
    tunnel: TunnelSpec,
    offer: SaPayload,
    answer: SaPayload,
    tsi: TsPayload,
    tsr: TsPayload,
    proposed_i: tuple[TrafficSelector, ...],
    proposed_r: tuple[TrafficSelector, ...],
) -> ChildChoice | NotifyType:
    picked = accepted_esp(offer, answer, tunnel.transform_sets)
    if picked is None:
        return NotifyType.NO_PROPOSAL_CHOSEN
    got_i, got_r = tsmod.from_payload(tsi), tsmod.from_payload(tsr)
    if not tsmod.within(got_i, proposed_i) or not tsmod.within(got_r, proposed_r):
        return NotifyType.TS_UNACCEPTABLE
    return ChildChoice(picked[0], picked[1], tunnel, got_i, got_r)


CHILD_ERRORS = frozenset(
    {
        NotifyType.NO_PROPOSAL_CHOSEN,
        NotifyType.TS_UNACCEPTABLE,
        NotifyType.SINGLE_PAIR_REQUIRED,
        NotifyType.INTERNAL_ADDRESS_FAILURE,
        NotifyType.FAILED_CP_REQUIRED,
        NotifyType.INVALID_SELECTORS,
        NotifyType.NO_ADDITIONAL_SAS,
        NotifyType.TEMPORARY_FAILURE,
        NotifyType.CHILD_SA_NOT_FOUND,
        NotifyType.INVALID_KE_PAYLOAD,
    }
)
