"""`show crypto engine connections active`: the crypto engine's table of the SAs it holds
keys for. Each IPsec SA is a connection of its own, numbered as `show crypto ipsec sa`
numbers its flow_id, with the packets it encrypted (outbound) or decrypted (inbound) and,
inbound, the last sequence number it accepted; each established IKE SA follows, numbered
by its CE id (`show crypto ikev2 sa detailed`). The IP-Address column is this router's end of
the SA."""

from __future__ import annotations

from collections.abc import Sequence

from pyike import ios_names
from pyike.crypto import catalogue
from pyike.show.views import (
    EspSaView,
    IkeSaState,
    IkeSaView,
    IPAddress,
    IpsecInterfaceView,
)

_HEADER = "   ID  Type    Algorithm           Encrypt  Decrypt LastSeqN IP-Address"


def _row(
    conn_id: int, kind: str, algorithm: str, encrypt: int, decrypt: int, seq: int, ip: IPAddress
) -> str:
    counts = f"{encrypt:>8} {decrypt:>8} {seq:>8}"
    return f"{conn_id:>5}  {kind:<8}{algorithm:<19}{counts} {ios_names.address(ip)}"


def _names(*names: str | None) -> str:
    return "+".join(name for name in names if name)


def _esp_algorithm(sa: EspSaView) -> str:
    """The cipher, then the integrity algorithm (none with an AEAD cipher), joined by `+`."""
    cipher = catalogue.encryption(sa.encryption, sa.key_bits)
    integrity = catalogue.integrity(sa.integrity) if sa.integrity is not None else None
    return _names(
        cipher.engine_name if cipher is not None else None,
        integrity.engine_name if integrity is not None and integrity.implemented else None,
    )


def _ike_algorithm(sa: IkeSaView) -> str:
    """The hash (of the integrity algorithm, else of the PRF), then the
    cipher, the other way round from an IPsec SA's, as IOS prints them."""
    integrity = catalogue.integrity(sa.integrity) if sa.integrity is not None else None
    prf = catalogue.prf(sa.prf)
    hash_name = (
        integrity.engine_name
        if integrity is not None and integrity.implemented
        else prf.engine_name
        if prf is not None
        else None
    )
    cipher = catalogue.encryption(sa.encryption, sa.key_bits)
    return _names(hash_name, cipher.engine_name if cipher is not None else None)


def show_crypto_engine_connections_active(
    interfaces: Sequence[IpsecInterfaceView], ike_sas: Sequence[IkeSaView]
) -> list[str]:
    rows: list[tuple[int, str]] = []
    for interface in interfaces:
        for flow in interface.flows:
            directions = [(sa, True) for sa in flow.inbound]
            directions += [(sa, False) for sa in flow.outbound]
            for sa, inbound in directions:
                counts = (0, sa.packets, sa.last_sequence) if inbound else (sa.packets, 0, 0)
                line = _row(
                    sa.flow_number, "IPsec", _esp_algorithm(sa), *counts, flow.local_endpoint
                )
                rows.append((sa.flow_number, line))
    for ike in ike_sas:
        if ike.state is IkeSaState.READY:
            rows.append(
                (ike.ce_id, _row(ike.ce_id, "IKEv2", _ike_algorithm(ike), 0, 0, 0, ike.local))
            )
    rows.sort(key=lambda row: row[0])
    return ["Crypto Engine Connections", "", _HEADER, *(line for _, line in rows)]
