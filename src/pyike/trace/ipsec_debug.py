"""`debug crypto ipsec`: what IOS prints as the IPsec subsystem installs and removes SAs.

The layout is IOS 15's: on the responder "IPSEC(validate_proposal_request): proposal part
#1," with the proxies and the mode the negotiation settled, `(Tunnel)` or `(Transport)`;
"IPSEC(create_sa): sa created," followed by the indented "(sa)" lines,
"IPSEC(update_current_outbound_sa): ..." when a rekey moves outbound traffic to a new SA, and
"IPSEC(delete_sa): deleting SA," as SAs go away. No key material is printed.
"""

from __future__ import annotations

from ipaddress import ip_network

from pyike import ios_names
from pyike.codec.registry import IntegId
from pyike.ipsec.sad import InstalledChild
from pyike.traffic_selector import TrafficSelector


def _transform(child: InstalledChild) -> str:
    info = child.info
    integ = None if info.integ == IntegId.NONE else info.integ
    return ios_names.esp_transform(info.encr, info.encr_key_bits, integ)


def _sa_lines(child: InstalledChild, *, inbound: bool) -> list[str]:
    info = child.info
    spi = child.spi_in if inbound else child.spi_out
    dest = info.local.address if inbound else info.remote.address
    conn = child.conn_id_in if inbound else child.conn_id_out
    return [
        f"  (sa) sa_dest= {dest}, sa_proto= 50, ",
        f"    sa_spi= 0x{spi:08X}({spi}), ",
        f"    sa_trans= {_transform(child)} , sa_conn_id= {conn}",
        f"    sa_lifetime(k/sec)= ({info.lifetime_kilobytes}/{info.lifetime_seconds})",
    ]


def _proxy(ts: TrafficSelector) -> str:
    """A selector as IOS's key engine prints it: addr/mask/prot/port (256: any protocol)."""
    span = int(ts.end) - int(ts.start) + 1
    prefix = ts.start.max_prefixlen - max(span.bit_length() - 1, 0)
    network = ip_network(f"{ts.start}/{prefix}", strict=False)
    mask = network.netmask if network.version == 4 else network.prefixlen
    port = ts.start_port if ts.start_port == ts.end_port else 0
    return f"{network.network_address}/{mask}/{ts.protocol or 256}/{port}"


def _proposal_lines(child: InstalledChild) -> list[str]:
    """What a responder's IPsec prints as it validates the proposal the peer's request
    settled on: the proxies (selectors) and the mode, `(Tunnel)` or `(Transport)`."""
    info = child.info
    mode = "Transport" if info.mode == "transport" else "Tunnel"
    return [
        "IPSEC(validate_proposal_request): proposal part #1",
        "IPSEC(validate_proposal_request): proposal part #1,",
        f"  (key eng. msg.) INBOUND local= {info.local.address}:0, "
        f"remote= {info.remote.address}:0,",
        f"    local_proxy= {_proxy(info.local_ts[0])},",
        f"    remote_proxy= {_proxy(info.remote_ts[0])},",
        f"    protocol= ESP, transform= {_transform(child)}  ({mode}), ",
        "    lifedur= 0s and 0kb, ",
        f"    spi= 0x0(0), conn_id= 0, keysize= {info.encr_key_bits or 0}, flags= 0x0",
    ]


def created(child: InstalledChild) -> list[str]:
    """Both SAs of a newly installed child SA, inbound first as IOS creates them; on the
    responder, after the proposal it validated."""
    lines = [] if child.info.initiator or not child.info.local_ts else _proposal_lines(child)
    lines.append("IPSEC(key_engine): got a queue event with 1 KMI message(s)")
    for inbound in (True, False):
        lines += ["IPSEC(create_sa): sa created,", *_sa_lines(child, inbound=inbound)]
    return lines


def outbound_switched(child: InstalledChild) -> list[str]:
    return [
        f"IPSEC(update_current_outbound_sa): updated peer {child.info.remote.address} "
        f"current outbound sa to SPI {child.spi_out:X}"
    ]


def deleted(child: InstalledChild) -> list[str]:
    lines = []
    for inbound in (True, False):
        lines += ["IPSEC(delete_sa): deleting SA,", *_sa_lines(child, inbound=inbound)]
    return lines
