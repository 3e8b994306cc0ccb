"""`debug crypto ipsec`: what IOS prints as the IPsec subsystem installs and removes SAs.

The layout is IOS 15's: "IPSEC(create_sa): sa created," followed by the indented "(sa)"
lines, "IPSEC(update_current_outbound_sa): ..." when a rekey moves outbound traffic to a
new SA, and "IPSEC(delete_sa): deleting SA," as SAs go away. No key material is printed.
"""

from __future__ import annotations

from pyike import ios_names
from pyike.codec.registry import IntegId
from pyike.ipsec.sad import InstalledChild


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


def created(child: InstalledChild) -> list[str]:
    """Both SAs of a newly installed child SA, inbound first as IOS creates them."""
    lines = ["IPSEC(key_engine): got a queue event with 1 KMI message(s)"]
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
