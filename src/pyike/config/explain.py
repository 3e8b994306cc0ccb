"""Say in plain words what a configuration will negotiate, with whom, and what defaults fill in.

Keys are named by where they are configured, never shown.
"""

from __future__ import annotations

from ipaddress import ip_network

from pyike.codec.registry import DhId
from pyike.config import defaults
from pyike.config.model import Config, Identity, Interface, Nhrp, Proposal, TransformSet
from pyike.config.query import (
    UNSUPPORTED_METHODS,
    ChildSaPolicy,
    TrafficSelector,
    auth_blocker,
    child_sa_policies,
    effective_prf,
    ike_sa_settings,
    nhrp_config,
    not_negotiated,
    peer_policy,
    peers_own_traffic,
    psk_for_peer,
    select_policy,
)
from pyike.crypto import catalogue
from pyike.nhrp.config import NhrpConfig

_ANY4 = TrafficSelector.any4()


def _keyword(transform: catalogue.IntegTransform | catalogue.PrfTransform | None) -> str:
    """A proposal's integrity or PRF as its keyword reads, in capitals."""
    assert transform is not None and transform.ike_keyword is not None
    return transform.ike_keyword.upper()


def group_name(group: DhId) -> str:
    return f"group {group.value} ({group.name})"


def describe_proposal(p: Proposal) -> str:
    parts = ["encryption " + ", ".join(e.keyword.upper() for e in p.encryption)]
    if p.integrity and not p.is_aead:
        parts.append(
            "integrity " + ", ".join(_keyword(catalogue.integrity(i)) for i in p.integrity)
        )
    prf = ", ".join(_keyword(catalogue.prf(x)) for x in effective_prf(p))
    parts.append(f"PRF {prf}" + ("" if p.prf else " (derived from integrity)"))
    parts.append("DH " + ", ".join(group_name(g) for g in p.groups))
    return "; ".join(parts)


def _selector(ts: TrafficSelector) -> str:
    if ts.start == ts.end:
        text = f"host {ts.start}"
    else:
        width = int(ts.end) - int(ts.start) + 1
        bits = ts.start.max_prefixlen - (width.bit_length() - 1)
        text = str(ip_network(f"{ts.start}/{bits}", strict=False))
    if ts.protocol:
        text += f" proto {ts.protocol}"
    if (ts.start_port, ts.end_port) != (0, 65535):
        ports = ts.start_port if ts.start_port == ts.end_port else f"{ts.start_port}-{ts.end_port}"
        text += f" port {ports}"
    return text


def _dflt(flag: bool) -> str:
    return " (default)" if flag else ""


def explain_policy(cfg: Config, c: ChildSaPolicy) -> list[str]:
    peers = ", ".join(str(p) for p in c.peers) or "no peer configured"
    local = c.local or "an unknown local address"
    words = c.name.split()
    named = cfg.crypto_map_local.get(words[2]) if words[:2] == ["crypto", "map"] else None
    via = f" ({named.interface}, the map's local-address)" if named is not None else ""
    lines = [f"{c.name}: to {peers} from {local}{via}"]
    if c.dynamic:
        profile = c.ikev2_profile.name if c.ikev2_profile is not None else "(none)"
        lines = [
            f"{c.name}: from {local}{via}, for any peer IKEv2 profile {profile} authenticates "
            "(a dynamic map entry: the peers initiate, this side never does)"
        ]
    sample = c  # the policy the IKE SA lines describe: a multipoint tunnel's toward its NHS
    if c.multipoint:
        lines = [f"{c.name}: multipoint GRE (DMVPN) from {local} to each peer NHRP finds"]
        nhrp = _nhrp(cfg, cfg.interfaces[c.name])
        if nhrp is not None:
            lines += _nhrp_lines(nhrp, cfg.interfaces[c.name].nhrp)
            servers = [nbma for _, nbma in nhrp.static_maps()]
            sample = peer_policy(c, servers[0]) if servers else c
    reason = not_negotiated(cfg).get(c.name)
    if reason is not None:
        lines.append(f"  {c.name} {reason}")
    if reason is None or c.ikev2_profile is not None:  # IKEv1 has nothing of IKEv2's to say
        lines += _ike_sa_lines(cfg, sample)
    return lines + _child_sa_lines(c)


def _nhrp(cfg: Config, tunnel: Interface) -> NhrpConfig | None:
    try:
        return nhrp_config(cfg, tunnel)
    except ValueError:
        return None  # not_negotiated says why


def _nhrp_lines(n: NhrpConfig, typed: Nhrp) -> list[str]:
    """What NHRP does on a multipoint tunnel (`typed`: its `ip nhrp` lines, to tell IOS's
    defaults); the authentication string is named, never shown."""
    auth = "authentication string configured" if n.authentication else "no authentication"
    lines = [
        f"  NHRP network-id {n.network_id}, hold time {n.holdtime} s"
        f"{_dflt(typed.holdtime is None)}, {auth}",
        f"    sends at most {n.max_send} NHRP packets every {n.max_send_interval} s"
        f"{_dflt(typed.max_send is None)}, drops any more",
    ]
    interval = f"every {n.registration_interval} s{_dflt(typed.registration_timeout is None)}"
    unique = "" if n.unique else ", no-unique"
    for server in n.nhs:
        lines.append(
            f"    registers with NHS {server.address} at NBMA {n.nhs_nbma(server)} "
            f"{interval}{unique}"
        )
    if not n.nhs:
        lines.append("    no NHS: a hub, its peers register with it")
    multicast = [str(a) for a in n.static_multicast()]
    if n.multicast_dynamic:
        multicast.append("each peer registered with it")
    if multicast:
        lines.append(f"    multicast (routing protocols) replicated to {', '.join(multicast)}")
    if n.redirect:
        lines.append(
            "    phase 3: traffic it sends back out the tunnel is redirected (at most every "
            f"{n.redirect_timeout} s per sender and destination)"
        )
    if n.shortcut:
        lines.append("    phase 3: a redirect makes it resolve a shortcut and install its route")
    return lines


def _ike_sa_lines(cfg: Config, c: ChildSaPolicy) -> list[str]:
    peer = c.peers[0] if c.peers else None
    lines = []
    policy = select_policy(cfg, c.local)
    if policy is None:
        lines.append("  IKE SA: no IKEv2 policy applies; nothing can be negotiated")
    else:
        default = " (smart default)" if policy is defaults.DEFAULT_POLICY else ""
        lines.append(f"  IKE SA: IKEv2 policy {policy.name}{default} offers and accepts")
        known = defaults.proposals(cfg)
        for name in policy.proposals:
            proposal = known.get(name)
            if proposal is None:
                lines.append(f"    proposal {name}: does not exist")
                continue
            tag = " (smart default)" if proposal is defaults.DEFAULT_PROPOSAL else ""
            lines.append(f"    proposal {name}{tag}: {describe_proposal(proposal)}")
    profile = c.ikev2_profile
    if profile is None:
        lines.append("  IKEv2 profile: none, so IOS would not use IKEv2 for this peer")
    else:
        lines.append(f"  IKEv2 profile {profile.name}")
        remote = Identity.address(peer) if peer is not None else None
        keys = psk_for_peer(cfg, profile, peer, remote)
        local_method = ", ".join(profile.auth_local) or "none"
        remote_method = " or ".join(profile.auth_remote) or "none"
        psk_local = "pre-share" in profile.auth_local and keys.local_origin
        psk_remote = "pre-share" in profile.auth_remote and keys.remote_origin
        lines.append(
            f"    we authenticate with {local_method}"
            + (f", signing with the local key of {keys.local_origin}" if psk_local else "")
        )
        lines.append(
            f"    the peer must authenticate with {remote_method}"
            + (f", a PSK checked with the remote key of {keys.remote_origin}" if psk_remote else "")
        )
        unsupported = [m for m in profile.auth_remote if m in UNSUPPORTED_METHODS]
        if unsupported and "pre-share" in profile.auth_remote:
            why = "; ".join(dict.fromkeys(UNSUPPORTED_METHODS[m] for m in unsupported))
            lines.append(f"    a peer using {' or '.join(unsupported)} is refused: {why}")
        blocker = auth_blocker(profile, cfg)
        if blocker is not None:
            lines.append(f"    this tunnel cannot come up: the profile {blocker}")
        ring = cfg.keyrings.get(profile.keyring) if profile.keyring else None
        # a hub's mGRE tunnel or virtual template: its peers come as they connect, each
        # keyed by the entry its address or identity matches
        entries = ring.peers if peer is None and ring is not None else ()
        local_keyed = keys.local is not None or any(e.local_key for e in entries)
        remote_keyed = keys.remote is not None or any(e.remote_key for e in entries)
        keyed = [e.name for e in entries if e.local_key or e.remote_key]
        if keyed and ring is not None:
            lines.append(
                f"    each peer's keys from keyring {ring.name}, the entry its address or "
                f"identity matches (peer {', '.join(keyed)})"
            )
        whom = "its peers" if peer is None else f"peer {peer}"
        if "pre-share" in profile.auth_local and not local_keyed:
            lines.append(f"    no local key found for {whom}: our AUTH cannot be computed")
        if "pre-share" in profile.auth_remote and not remote_keyed:
            lines.append(f"    no remote key found for {whom}: its AUTH cannot be checked")
        local_id = profile.local_identity or (
            Identity.address(c.local) if c.local is not None else None
        )
        shown = local_id or "address (the address IKE runs from)"
        lines.append(f"    local identity {shown}{_dflt(profile.local_identity is None)}")
    s = ike_sa_settings(cfg, profile)
    dpd = f"DPD every {s.dpd.interval} s, {s.dpd.mode}" if s.dpd else "DPD off (default)"
    lifetime_default = profile is None or profile.lifetime is None
    lines.append(
        f"    IKE SA lifetime {s.lifetime} s{_dflt(lifetime_default)}; {dpd}; "
        f"window {s.window}{_dflt(cfg.ikev2.window is None)}"
    )
    return lines


def _child_sa_lines(c: ChildSaPolicy) -> list[str]:
    lines = []
    via = f" (IPsec profile {c.ipsec_profile})" if c.ipsec_profile else ""
    lines.append(f"  Child SA{via}:")
    for ts in c.transform_sets:
        tag = " (smart default)" if ts is defaults.DEFAULT_TRANSFORM_SET else ""
        lines.append(f"    transform set {ts.name}{tag}: {ts.transforms_text()}, {_mode(c, ts)}")
    if not c.transform_sets:
        lines.append("    no transform set: nothing can be negotiated")
    lines.append(f"    PFS: {group_name(c.pfs) if c.pfs else 'none'}")
    idle = f"; deleted after {c.idle_seconds} s idle" if c.idle_seconds else ""
    lines.append(f"    lifetime {c.lifetime_seconds} s / {c.lifetime_kilobytes} KB{idle}")
    any_pair = c.dynamic and all(pair == (_ANY4, _ANY4) for pair in c.selectors)
    for local_ts, remote_ts in () if any_pair else c.selectors:
        lines.append(f"    protects {_selector(local_ts)} <-> {_selector(remote_ts)}")
    if any_pair:
        lines.append("    protects what each peer asks for (no match address)")
    if c.reverse_route:
        lines.append("    reverse-route: a static route to each SA's remote subnet, via its peer")
    if c.multipoint:
        lines.append(f"    protects GRE between {c.local} and each peer, one Child SA each")
    elif not c.selectors:
        lines.append("    protects no traffic (no usable traffic selectors)")
    return lines


def _mode(c: ChildSaPolicy, ts: TransformSet) -> str:
    if ts.mode != "transport" or c.local is None or not (c.peers or c.multipoint):
        return f"{ts.mode} mode"
    own = c.multipoint or all(peers_own_traffic(pair, c.local, c.peers[0]) for pair in c.selectors)
    if ts.transport_required:
        if own:
            return "transport mode, required (a peer that answers tunnel mode gets no Child SA)"
        return "transport mode required, but not the peers' own traffic: not negotiated"
    if own:
        return "transport mode (tunnel mode if the peer answers it)"
    return "transport mode configured; tunnel mode negotiated (not the peers' own traffic)"


def explain(cfg: Config) -> str:
    policies = child_sa_policies(cfg)
    out = [f"{cfg.hostname} ({cfg.file}): smart defaults of {defaults.RELEASE}"]
    if not policies:
        out.append("No protected tunnel and no applied crypto map: nothing is negotiated.")
    for c in policies:
        out.append("")
        out += explain_policy(cfg, c)
    return "\n".join(out) + "\n"
