"""Choosing a Child SA's transforms and selectors: the responder's choice and the
initiator's check of it, shared by IKE_AUTH and CREATE_CHILD_SA."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pyike.codec import Proposal, SaPayload, TsPayload
from pyike.codec.registry import NotifyType
from pyike.ike import child_mode
from pyike.ike import ts as tsmod
from pyike.ike.ike_sa import IkeSa
from pyike.ike.policy import TunnelSpec
from pyike.ike.proposals import ChildTransform, accepted_esp, select_esp
from pyike.traffic_selector import TrafficSelector


@dataclass  # made per SA: a plain dataclass (DESIGN.md, Per-SA cost)
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
    transport: bool,
    tunnel: TunnelSpec | None = None,
) -> ChildChoice | NotifyType:
    """Proposal first, then selectors, as IOS reports them: NO_PROPOSAL_CHOSEN when no
    transform set matches, TS_UNACCEPTABLE when the selectors narrow to nothing. The mode is
    settled as `pyike.ike.child_mode` says; `transport`: the request asked for it."""
    tunnels = (
        [tunnel]
        if tunnel is not None
        else list(sa.ctx.policy.tunnels_for_peer(sa.local, sa.remote, sa.profile))
    )
    if not tunnels:
        return NotifyType.NO_PROPOSAL_CHOSEN
    proposal_matched = False
    refusals: list[str] = []  # why a set that matched was not taken: it requires transport
    for t in tunnels:
        picked = _pick(sa, t, offer, allow_dh=allow_dh, transport=transport)
        if picked is None:
            required = _pick(sa, t, offer, allow_dh=allow_dh, transport=True)
            if not transport and required is not None:
                refusals.append(_requires(t, required[1], "the peer asked for tunnel mode"))
            continue
        proposal_matched = True
        # The initiator's TSi is this side's remote, its TSr this side's local.
        narrowed_i = tsmod.narrowed(tsi, t.remote_ts)
        narrowed_r = tsmod.narrowed(tsr, t.local_ts)
        if not (narrowed_i and narrowed_r):
            continue
        own = child_mode.peers_own(
            narrowed_r, narrowed_i, sa.local.address, sa.remote.address, sa.nat.nat_detected
        )
        proposal, transform = picked
        if transform.transport_required and not own:
            refusals.append(_requires(t, transform, "the traffic is not the peers' own"))
            continue
        chosen = child_mode.settle(
            transform, child_mode.responder_transport(transform, transport, own)
        )
        if tunnel is None and t.named_by_selectors:
            t = replace(t, name=selector_name(t.name, narrowed_i))
        return ChildChoice(proposal, chosen, t, narrowed_i, narrowed_r)
    if refusals:
        for refusal in refusals:
            sa.error(refusal)
        return NotifyType.NO_PROPOSAL_CHOSEN
    return NotifyType.TS_UNACCEPTABLE if proposal_matched else NotifyType.NO_PROPOSAL_CHOSEN


def selector_name(name: str, remote: tuple[TrafficSelector, ...]) -> str:
    """What a Child SA made from a template named `name` for the peer's selectors `remote`
    is called: "NAME to 192.168.30.0-192.168.30.255" (with the protocol and ports when not
    all)."""
    return f"{name} to {', '.join(_selector_text(ts) for ts in remote)}"


def _selector_text(ts: TrafficSelector) -> str:
    text = f"{ts.start}-{ts.end}"
    if ts.protocol:
        text += f" proto {ts.protocol}"
    if (ts.start_port, ts.end_port) != (0, 65535):
        text += f" ports {ts.start_port}-{ts.end_port}"
    return text


def _requires(t: TunnelSpec, transform: ChildTransform, but: str) -> str:
    return (
        f"{t.name}: transform set {transform.transform_set} requires transport mode "
        f"(mode transport require) but {but}"
    )


def _pick(
    sa: IkeSa, t: TunnelSpec, offer: SaPayload, *, allow_dh: bool, transport: bool
) -> tuple[Proposal, ChildTransform] | None:
    """The responder's transform set choice for tunnel `t`; without a request for
    transport mode, sets that require it are passed over."""
    sets = [ts for ts in t.transform_sets if transport or not ts.transport_required]
    pfs = t.pfs_group if allow_dh else None
    prefer_own = sa.ctx.settings.prefer_own_order
    return select_esp(sets, offer, pfs, allow_dh=allow_dh, prefer_own=prefer_own)


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


def initiator_mode(
    sa: IkeSa, checked: ChildChoice, *, asked: bool, answered: bool
) -> ChildChoice | str:
    """The responder's answer with the mode it settled (`pyike.ike.child_mode`), or why the
    initiator refuses it. TSi is the initiator's side: this side's own."""
    own = child_mode.peers_own(
        checked.tsi, checked.tsr, sa.local.address, sa.remote.address, sa.nat.nat_detected
    )
    refusal = child_mode.initiator_refusal(checked.transform, asked, answered, own)
    if refusal is not None:
        return refusal
    settled = child_mode.settle(checked.transform, answered)
    return checked if settled is checked.transform else replace(checked, transform=settled)


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
