"""The SAs as one JSON document (schema `pyike-sas/1`), for scripts that should not scrape
`show crypto ikev2 sa detailed` and `show crypto ipsec sa`: made from the same views those
commands print, field for field, so that the facts stay in one place.

    {"schema": "pyike-sas/1",
     "ike_sas": [IkeSaView's fields: "tunnel_id", "local", "local_port", "remote", ...,
                 "status" ("READY", "IN-NEG", "DELETE"), algorithms by the names show prints
                 ("encryption": "AES-CBC", "key_bits": 128, "prf": "SHA1", "hash": "SHA96",
                 "dh_group": 2), SPIs as the 16 hex digits show prints, "nat": "not detected"],
     "ipsec": [{"interface": "Tunnel0", "crypto_map_tag": "Tunnel0-head-0", "local_address",
                "flows": [IpsecFlowView's fields; idents as {"network", "protocol", "port"},
                          "counters": FlowCounters' fields (the #pkts lines of `detail`),
                          "inbound"/"outbound": EspSaView's fields, SPIs as "0x..." and
                          "transform": "esp-aes esp-sha-hmac" as show prints them]}]}

Addresses are strings, IPv6 in lower case (JSON readers compare them as text; show's upper
case is for eyes); an absent value is null.
"""

from __future__ import annotations

import dataclasses
import enum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Any

from pyike import ios_names
from pyike.show.views import EspSaView, Ident, IkeSaView, IpsecFlowView, IpsecInterfaceView

SCHEMA = "pyike-sas/1"

Json = dict[str, Any]


def sas_document(ike_sas: list[IkeSaView], interfaces: list[IpsecInterfaceView]) -> Json:
    return {
        "schema": SCHEMA,
        "ike_sas": [ike_sa_json(sa) for sa in ike_sas],
        "ipsec": [
            {
                "interface": view.interface,
                "crypto_map_tag": view.crypto_map_tag,
                "local_address": str(view.local_address),
                "flows": [flow_json(flow) for flow in view.flows],
            }
            for view in interfaces
        ],
    }


def ike_sa_json(sa: IkeSaView) -> Json:
    out = _fields(sa)
    out.update(
        status=sa.state.value,
        encryption=ios_names.ike_encryption(sa.encryption),
        prf=ios_names.ike_prf(sa.prf),
        hash=ios_names.ike_integrity(sa.integrity),
        dh_group=int(sa.dh_group),
        local_spi=f"{sa.local_spi:016X}",
        remote_spi=f"{sa.remote_spi:016X}",
        remaining=sa.remaining,
    )
    del out["state"], out["integrity"]
    return out


def flow_json(flow: IpsecFlowView) -> Json:
    out = _fields(flow, nested={"local_ident", "remote_ident", "counters", "inbound", "outbound"})
    out.update(
        local_ident=_ident(flow.local_ident),
        remote_ident=_ident(flow.remote_ident),
        counters=_fields(flow.counters),
        pfs_group=None if flow.pfs_group is None else ios_names.dh_group_keyword(flow.pfs_group),
        inbound=[esp_sa_json(sa) for sa in flow.inbound],
        outbound=[esp_sa_json(sa) for sa in flow.outbound],
        current_outbound_spi=f"0x{flow.current_outbound_spi:X}",
    )
    return out


def esp_sa_json(sa: EspSaView) -> Json:
    out = _fields(sa)
    out.update(
        spi=f"0x{sa.spi:X}",
        transform=ios_names.esp_transform(sa.encryption, sa.key_bits, sa.integrity),
        encryption=ios_names.esp_encryption(sa.encryption, sa.key_bits),
        integrity=ios_names.esp_integrity(sa.integrity),
        flow_id=sa.flow_number,
        status=sa.status.value,
    )
    return out


def _ident(ident: Ident) -> Json:
    return {"network": str(ident.network), "protocol": ident.protocol, "port": ident.port}


def _fields(view: object, nested: set[str] | None = None) -> Json:
    """A view's own fields, plain values as they are, addresses as text, enums by value;
    the `nested` ones (views within) are left to the caller."""
    return {
        field.name: _plain(getattr(view, field.name))
        for field in dataclasses.fields(view)  # type: ignore[arg-type]
        if field.name not in (nested or set())
    }


def _plain(value: object) -> object:
    if isinstance(value, IPv4Address | IPv6Address | IPv4Network | IPv6Network):
        return str(value)
    if isinstance(value, enum.IntEnum):
        return int(value)
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"no JSON form for {type(value).__name__}")
