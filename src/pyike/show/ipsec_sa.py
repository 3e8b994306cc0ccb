"""`show crypto ipsec sa [peer ADDRESS] [detail]`, in the layout of the seed document.

Per interface: its crypto map tag (a VTI's is `Tunnel0-head-0`), then per protected flow the
idents, the peer, the `#pkts` counters (summed over the flow's SAs, rekeys included), the
endpoints and MTUs, the current outbound SPI, PFS, and the inbound and outbound ESP SAs. While
a child SA is being rekeyed both generations are listed, oldest first, and the current
outbound SPI is the newest active one. `detail` replaces `#send errors/#recv errors` with
IOS's error breakdown. The `plaintext mtu` that IOS-XE puts before `path mtu` (and genie's
parser expects), and the `replay window size` it puts after `replay detection support` (which
the ntc-templates TextFSM template requires), are printed when the view carries them.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network

from pyike import ios_names
from pyike.show.ikev2_sa import vrf_matches
from pyike.show.views import (
    EspSaStatus,
    EspSaView,
    FlowCounters,
    Ident,
    IPAddress,
    IpsecFlowView,
    IpsecInterfaceView,
)


def _ident(ident: Ident) -> str:
    network = ident.network
    if isinstance(network, IPv4Network):
        return f"({network.network_address}/{network.netmask}/{ident.protocol}/{ident.port})"
    return (
        f"({ios_names.address(network.network_address)}/{network.prefixlen}/"
        f"{ident.protocol}/{ident.port})"
    )


def _spi(spi: int) -> str:
    return f"0x{spi:X}({spi})"


def _counter_lines(c: FlowCounters, detail: bool) -> list[str]:
    lines = [
        f"    #pkts encaps: {c.encaps}, #pkts encrypt: {c.encaps}, #pkts digest: {c.encaps}",
        f"    #pkts decaps: {c.decaps}, #pkts decrypt: {c.decaps}, #pkts verify: {c.decaps}",
        "    #pkts compressed: 0, #pkts decompressed: 0",
        "    #pkts not compressed: 0, #pkts compr. failed: 0",
        "    #pkts not decompressed: 0, #pkts decompress failed: 0",
    ]
    if not detail:
        return [*lines, f"    #send errors {c.send_errors}, #recv errors {c.recv_errors}"]
    return [
        *lines,
        f"    #pkts no sa (send) {c.no_sa_send}, #pkts invalid sa (rcv) {c.invalid_sa_recv}",
        f"    #pkts encaps failed (send) {c.encaps_failed_send}, "
        f"#pkts decaps failed (rcv) {c.decaps_failed_recv}",
        f"    #pkts invalid prot (recv) 0, #pkts verify failed: {c.verify_failed}",
        f"    #pkts invalid identity (recv) {c.invalid_identity_recv}, "
        f"#pkts invalid len (rcv) {c.invalid_len_recv}",
        f"    #pkts replay rollover (send): {c.replay_rollover_send}, "
        f"#pkts replay rollover (rcv) {c.replay_rollover_recv}",
        f"    ##pkts replay failed (rcv): {c.replay_failed_recv}",
        "    #pkts tagged (send): 0, #pkts untagged (rcv): 0",
        "    #pkts not tagged (send): 0, #pkts not untagged (rcv): 0",
        "    #pkts internal err (send): 0, #pkts internal err (recv) 0",
    ]


def _replay_line(sa: EspSaView) -> str:
    line = f"        replay detection support: {ios_names.yes_no(sa.replay_detection)}"
    if sa.replay_window is not None:
        line += f"  replay window size: {sa.replay_window}"
    return line


def _esp_sa_lines(sa: EspSaView) -> list[str]:
    return [
        f"      spi: {_spi(sa.spi)}",
        f"        transform: {ios_names.esp_transform(sa.encryption, sa.key_bits, sa.integrity)} ,",
        f"        in use settings ={{{sa.mode}, }}",
        f"        conn id: {sa.conn_id}, flow_id: {sa.flow_prefix}:{sa.flow_number}, "
        f"sibling_flags {sa.sibling_flags:X}, crypto map: {sa.crypto_map}",
        "        sa timing: remaining key lifetime (k/sec): "
        f"({sa.remaining_kilobytes}/{sa.remaining_seconds})",
        f"        IV size: {sa.iv_size} bytes",
        _replay_line(sa),
        f"        Status: {sa.status.value}",
    ]


def _sas(title: str, sas: tuple[EspSaView, ...]) -> list[str]:
    lines = [f"     {title}:"]
    for sa in sas:
        lines += _esp_sa_lines(sa)
    return [*lines, " "]


def _mtu_line(flow: IpsecFlowView) -> str:
    mtus = f"path mtu {flow.path_mtu}, ip mtu {flow.ip_mtu}, ip mtu idb {flow.ip_mtu_idb}"
    if flow.plaintext_mtu is not None:
        mtus = f"plaintext mtu {flow.plaintext_mtu}, {mtus}"
    return f"     {mtus}"


def _identity_lines(flow: IpsecFlowView, detail: bool) -> list[str]:
    """A flow's identities, peer and counters: all `show crypto ipsec sa identity` shows."""
    family = "addr/mask" if flow.local_ident.network.version == 4 else "addr/prefixlen"
    return [
        " ",
        f"   protected vrf: {flow.protected_vrf or '(none)'}",
        f"   local  ident ({family}/prot/port): {_ident(flow.local_ident)}",
        f"   remote ident ({family}/prot/port): {_ident(flow.remote_ident)}",
        f"   current_peer {ios_names.address(flow.peer)} port {flow.peer_port}",
        f"     PERMIT, flags={{{flow.flags}}}",
        *_counter_lines(flow.counters, detail),
    ]


def _flow_lines(flow: IpsecFlowView, detail: bool) -> list[str]:
    pfs = (
        f"Y, DH group: {ios_names.dh_group_keyword(flow.pfs_group)}"
        if flow.pfs_group is not None
        else "N, DH group: none"
    )
    return [
        *_identity_lines(flow, detail),
        " ",
        f"     local crypto endpt.: {ios_names.address(flow.local_endpoint)}, "
        f"remote crypto endpt.: {ios_names.address(flow.peer)}",
        _mtu_line(flow),
        f"     current outbound spi: {_spi(flow.current_outbound_spi)}",
        f"     PFS (Y/N): {pfs}",
        " ",
        *_sas("inbound esp sas", flow.inbound),
        *_sas("inbound ah sas", ()),
        *_sas("inbound pcp sas", ()),
        *_sas("outbound esp sas", flow.outbound),
        *_sas("outbound ah sas", ()),
        "     outbound pcp sas:",
    ]


def show_crypto_ipsec_sa(
    interfaces: Iterable[IpsecInterfaceView],
    *,
    peer: IPAddress | None = None,
    vrf: str | None = None,
    detail: bool = False,
    identity: bool = False,
) -> list[str]:
    """Every interface with a crypto map and its flows; with `peer`, only the flows to that
    peer, with `vrf` only those of that protected VRF (`none` or `global`: the global table),
    and only the interfaces that have one. An interface
    whose flows have no SAs yet shows its flows with empty SA lists and SPI 0x0. With
    `identity` (`show crypto ipsec sa identity`), each flow stops after its counters."""
    lines: list[str] = []
    filtered = peer is not None or vrf is not None
    for view in interfaces:
        flows = [
            f
            for f in view.flows
            if (peer is None or f.peer == peer) and vrf_matches(vrf, f.protected_vrf)
        ]
        if filtered and not flows:
            continue
        lines += [
            " ",
            f"interface: {view.interface}",
            f"    Crypto map tag: {view.crypto_map_tag}, "
            f"local addr {ios_names.address(view.local_address)}",
        ]
        for flow in flows:
            lines += _identity_lines(flow, detail) if identity else _flow_lines(flow, detail)
        lines.append("")
    return lines


def show_crypto_ipsec_sa_count(interfaces: Iterable[IpsecInterfaceView]) -> list[str]:
    """`show crypto ipsec sa count`: the ESP SAs (each direction one), those active, and those
    a rekey replaced that wait for their delete (`rekeying`). pyike installs an SA when its
    exchange completes and removes it with its delete, so none is ever unused or invalid."""
    sas = [
        sa for view in interfaces for flow in view.flows for sa in (*flow.inbound, *flow.outbound)
    ]
    active = sum(1 for sa in sas if sa.status is EspSaStatus.ACTIVE)
    rekeying = sum(1 for sa in sas if sa.status is EspSaStatus.PENDING_DELETE)
    return [
        f"IPsec SA total: {len(sas)}, active: {active}, rekeying: {rekeying}, unused: 0, invalid: 0"
    ]
