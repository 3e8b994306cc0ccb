"""tshark as the oracle for `pyike decode`: what it reads in a capture given key tables, and the
same view of pyike's `--json` records, message by message and packet by packet."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.support.tools import require_tool

SUBSTRUCTURES = {2, 3}  # tshark lists proposals and transforms among payload types

# frame -> (exchange type, message id, payload types, decrypted included)
IkeView = dict[int, tuple[int, int, list[int]]]
# frame -> (SPI, sequence number, inner source, inner destination, inner protocol, ICMP type)
EspView = dict[int, tuple[int, int, str, str, int, int | None]]


def _tshark(pcap: Path, ike_lines: list[str], esp_lines: list[str], *args: str) -> str:
    command = [require_tool("tshark"), "-r", str(pcap)]
    for line in ike_lines:
        command += ["-o", f"uat:ikev2_decryption_table:{line}"]
    if esp_lines:
        command += ["-o", "esp.enable_encryption_decode:TRUE"]
    for line in esp_lines:
        command += ["-o", f"uat:esp_sa:{line}"]
    command += [*args, "-T", "fields", "-E", "occurrence=a", "-E", "separator=;"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def tshark_ike(pcap: Path, ike_lines: list[str]) -> IkeView:
    """Each IKEv2 message as tshark decrypts it (reassembling IP fragments first)."""
    fields = ("frame.number", "isakmp.exchangetype", "isakmp.messageid", "isakmp.typepayload")
    out = _tshark(pcap, ike_lines, [], "-Y", "isakmp", *_fields(fields))
    view: IkeView = {}
    for row in out.splitlines():
        frame, exchange, message_id, types = row.split(";")
        payloads = [int(t) for t in types.split(",") if t and int(t) not in SUBSTRUCTURES]
        view[int(frame)] = (int(exchange), int(message_id, 16), payloads)
    return view


def tshark_esp(pcap: Path, esp_lines: list[str]) -> EspView:
    """Each ESP packet tshark decrypts: the innermost addresses are the last ones; in
    transport mode (one IP header) the protocol is what follows ESP in the frame."""
    fields = (
        "frame.number", "esp.spi", "esp.sequence", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
        "ip.proto", "ipv6.nxt", "frame.protocols", "icmp.type", "icmpv6.type",
    )  # fmt: skip
    out = _tshark(pcap, [], esp_lines, "-Y", "esp", *_fields(fields))
    view: EspView = {}
    for row in out.splitlines():
        frame, spi, seq, src4, src6, dst4, dst6, proto4, proto6, layers, icmp4, icmp6 = row.split(
            ";"
        )
        if layers.endswith(":esp"):  # not decrypted
            continue
        src, dst = _last(src6 or src4), _last(dst6 or dst4)
        if "," in (src6 or src4):  # an inner IP header: tunnel mode
            proto = int(_last(proto6 if src6 else proto4))
        else:
            proto = _PROTOCOLS[layers.split(":esp:")[1].split(":")[0]]
        icmp = icmp6 or icmp4
        view[int(frame)] = (int(spi, 16), int(seq), src, dst, proto, int(icmp) if icmp else None)
    return view


_PROTOCOLS = {"icmp": 1, "tcp": 6, "udp": 17, "gre": 47, "icmpv6": 58}


def pyike_ike(records: list[dict[str, Any]]) -> IkeView:
    view: IkeView = {}
    for obj in records:
        if "header" not in obj:
            continue
        types = [p["type"] for p in obj["payloads"]] + [p["type"] for p in obj.get("decrypted", [])]
        view[obj["frame"]] = (obj["header"]["exchange_type"], obj["header"]["message_id"], types)
    return view


def pyike_esp(records: list[dict[str, Any]]) -> EspView:
    view: EspView = {}
    for obj in records:
        inner = obj.get("inner")
        if "esp" not in obj or inner is None:
            continue
        esp = obj["esp"]
        view[obj["frame"]] = (
            esp["spi"], esp["seq"], inner["src"], inner["dst"], inner["protocol"], inner["icmp_type"]
        )  # fmt: skip
    return view


def json_records(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def _fields(names: tuple[str, ...]) -> list[str]:
    return [arg for name in names for arg in ("-e", name)]


def _last(values: str) -> str:
    return values.split(",")[-1]
