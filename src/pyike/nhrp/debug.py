"""The lines IOS prints under `debug nhrp`, `debug nhrp packet` and `debug nhrp cache`.

Send and receive lines follow IOS-XE 16 (`NHRP: Send Registration Reply via Tunnel0 vrf:
global(0x0), packet size: 128`, the overlay src/dst, `Encapsulation succeeded`, `N bytes out`);
the packet dump and the cache lines follow IOS 15's `debug nhrp packet` / `debug nhrp cache`.
The authentication extension's password is never printed.
"""

from __future__ import annotations

from pyike.nhrp.actions import Debug, DebugKind
from pyike.nhrp.codec import (
    AuthenticationExtension,
    Cie,
    CieExtension,
    ExtensionType,
    Packet,
    PacketType,
    PurgeFlag,
    RegistrationFlag,
    ResolutionFlag,
    extension_type,
)

VRF = "vrf: global(0x0)"
GENERAL = frozenset({DebugKind.GENERAL, DebugKind.PACKET})  # IOS prints these under both
PACKET = frozenset({DebugKind.PACKET})
CACHE = frozenset({DebugKind.CACHE})
ERROR = frozenset({DebugKind.ERROR})

CIE_CODES = {
    0: "no error",
    4: "administratively prohibited",
    5: "insufficient resources",
    12: "no binding exists",
    13: "binding exists but not unique",
    14: "unique address registered already",
}
ERROR_CODES = {
    1: "unrecognized extension",
    3: "loop detected",
    6: "protocol address unreachable",
    7: "protocol error",
    8: "SDU size exceeded",
    9: "invalid extension",
    10: "invalid resolution reply",
    11: "authentication failure",
    15: "hop count exceeded",
}
_FLAG_NAMES: dict[PacketType, list[tuple[int, str]]] = {
    PacketType.RESOLUTION_REQUEST: [
        (ResolutionFlag.ROUTER, "router"),
        (ResolutionFlag.AUTHORITATIVE, "auth"),
        (ResolutionFlag.DESTINATION_STABLE, "dst-stable"),
        (ResolutionFlag.UNIQUE, "unique"),
        (ResolutionFlag.SOURCE_STABLE, "src-stable"),
        (ResolutionFlag.NAT, "nat"),
    ],
    PacketType.REGISTRATION_REQUEST: [
        (RegistrationFlag.UNIQUE, "unique"),
        (RegistrationFlag.NAT, "nat"),
    ],
    PacketType.PURGE_REQUEST: [(PurgeFlag.NO_REPLY, "no-reply")],
}
_FLAG_NAMES[PacketType.RESOLUTION_REPLY] = _FLAG_NAMES[PacketType.RESOLUTION_REQUEST]
_FLAG_NAMES[PacketType.REGISTRATION_REPLY] = _FLAG_NAMES[PacketType.REGISTRATION_REQUEST]
_FLAG_NAMES[PacketType.PURGE_REPLY] = _FLAG_NAMES[PacketType.PURGE_REQUEST]
_EXTENSION_NAMES: dict[int, str] = {
    ExtensionType.RESPONDER_ADDRESS: "Responder Address Extension",
    ExtensionType.FORWARD_TRANSIT_NHS: "Forward Transit NHS Record Extension",
    ExtensionType.REVERSE_TRANSIT_NHS: "Reverse Transit NHS Record Extension",
    ExtensionType.AUTHENTICATION: "Authentication Extension",
    ExtensionType.VENDOR_PRIVATE: "Vendor Private Extension",
    ExtensionType.NAT_ADDRESS: "NAT address Extension",
}


def code_text(code: int, names: dict[int, str] = CIE_CODES) -> str:
    """ "no error(0)"."""
    return f"{names.get(code, 'unknown')}({code})"


def receive(interface: str, packet: Packet, wire: bytes) -> list[Debug]:
    size = len(wire)
    line = f"NHRP: Receive {packet.type.ios_name} via {interface} {VRF}, packet size: {size}"
    return [Debug(line, GENERAL), *dump(packet, wire)]


def send(
    verb: str, interface: str, packet: Packet, wire: bytes, own: object, nbma: object, overhead: int
) -> list[Debug]:
    """What IOS prints as it sends (`verb` "Send") or forwards ("Forwarding") a packet."""
    toward = packet.src_protocol if _is_reply(packet.type) else packet.dst_protocol
    size = len(wire)
    head = f"NHRP: {verb} {packet.type.ios_name} via {interface} {VRF}, packet size: {size}"
    return [
        Debug(head, GENERAL),
        Debug(f"      src: {own}, dst: {toward}", GENERAL),
        *dump(packet, wire),
        Debug(f"NHRP: Encapsulation succeeded.  Sending NHRP Control Packet  NBMA Address: {nbma}"),
        Debug(f"NHRP: {size + overhead} bytes out {interface} "),
    ]


def cache_change(
    interface: str, verb: str, target: object, next_hop: object, nbma: object
) -> list[Debug]:
    """`debug nhrp cache`: "NHRP: Tunnel0: Cache add for target 10.1.1.3/32 next-hop ..."."""
    return [
        Debug(f"NHRP: {interface}: Cache {verb} for target {target} next-hop {next_hop}", CACHE),
        Debug(f"           {nbma}", CACHE),
    ]


def _is_reply(kind: PacketType) -> bool:
    return kind in (
        PacketType.RESOLUTION_REPLY,
        PacketType.REGISTRATION_REPLY,
        PacketType.PURGE_REPLY,
    )


def flag_text(packet: Packet) -> str:
    names = _FLAG_NAMES.get(packet.type, [])
    return "".join(f"{name} " for bit, name in names if packet.flags & bit)


def _cie_lines(index: int, cie: Cie, indent: str) -> list[str]:
    nbma_len = len(cie.nbma.packed) if cie.nbma else 0
    proto_len = len(cie.protocol.packed) if cie.protocol else 0
    lines = [
        f"{indent}(C-{index}) code: {code_text(cie.code)}",
        f"{indent}      prefix: {cie.prefix_length}, mtu: {cie.mtu}, hd_time: {cie.holding_time}",
        f"{indent}      addr_len: {nbma_len}(NSAP), subaddr_len: 0(NSAP), "
        f"proto_len: {proto_len}, pref: {cie.preference}",
    ]
    if cie.nbma is not None:
        lines.append(f"{indent}      client NBMA: {cie.nbma}")
    if cie.protocol is not None:
        lines.append(f"{indent}      client protocol: {cie.protocol}")
    return lines


def _extension_lines(packet: Packet) -> list[str]:
    lines = []
    for extension in packet.extensions:
        kind = extension_type(extension)
        lines.append(f" {_EXTENSION_NAMES.get(kind, 'Unknown Extension')}({kind}):")
        if isinstance(extension, AuthenticationExtension):
            kind_name = "Cleartext" if extension.auth_type == 1 else "Unknown"
            lines.append(f"  type:{kind_name}({extension.auth_type})")
        elif isinstance(extension, CieExtension):
            for index, cie in enumerate(extension.cies, 1):
                lines += _cie_lines(index, cie, "  ")
    return lines


def dump(packet: Packet, wire: bytes) -> list[Debug]:
    """`debug nhrp packet`'s view of a packet: fixed header, mandatory part, CIEs, extensions
    (`wire` is the packet as sent or received, for its size and extension offset)."""
    afn = "AF_IP(1)" if packet.src_nbma.version == 4 else "AF_IPv6(2)"
    protocol = "IP(800)" if packet.src_protocol.version == 4 else "IPv6(86DD)"
    nbma_len = len(packet.src_nbma.packed)
    size, extoff = len(wire), int.from_bytes(wire[14:16], "big")
    if packet.type is PacketType.ERROR_INDICATION:
        error = code_text(packet.error_code, ERROR_CODES)
        request = f"code: {error}, offset: {packet.error_offset}"
    else:
        request = f'flags: "{flag_text(packet)}", reqid: {packet.request_id}'
    lines = [
        f" (F) afn: {afn}, type: {protocol}, hop: {packet.hop_count}, ver: 1",
        f"     shtl: {nbma_len}(NSAP), sstl: 0(NSAP)",
        f"     pktsz: {size} extoff: {extoff}",
        f" (M) {request}",
        f"     src NBMA: {packet.src_nbma}",
        f"     src protocol: {packet.src_protocol}, dst protocol: {packet.dst_protocol}",
    ]
    for index, cie in enumerate(packet.cies, 1):
        lines += _cie_lines(index, cie, " ")
    lines += _extension_lines(packet)
    return [Debug(line, PACKET) for line in lines]
