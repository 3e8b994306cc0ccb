"""The hostile peer's hands, run as a script inside a namespace (standard library only):

    python hostile_sender.py capture DEVICE ADDRESS COUNT SECONDS OUT
        the first COUNT ESP packets (SPI through ICV) arriving at ADDRESS on DEVICE, raw or
        in UDP to port 4500, as a JSON list of hex strings in OUT
    python hostile_sender.py send PLAN RATE
        each datagram of PLAN (JSON: source, destination, protocol 17 or 50, ports, hex
        data) as an IPv4 packet built here, so that any source address can be given; RATE
        datagrams a second at most

Prints a JSON summary on stdout."""

from __future__ import annotations

import json
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
UDP, ESP = 17, 50
NAT_T = 4500


def capture(device: str, address: str, count: int, seconds: float, out: str) -> None:
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
    sock.bind((device, ETH_P_IP))
    sock.settimeout(0.5)
    print("listening", flush=True)  # what the test waits for before it sends
    target = socket.inet_aton(address)
    found: list[str] = []
    deadline = time.monotonic() + seconds
    while len(found) < count and time.monotonic() < deadline:
        try:
            packet = sock.recv(65535)
        except TimeoutError:
            continue
        esp = _esp_of(packet, target)
        if esp is not None:
            found.append(esp.hex())
    with open(out, "w") as f:
        json.dump(found, f)
    print(json.dumps({"captured": len(found)}))


def _esp_of(packet: bytes, target: bytes) -> bytes | None:
    """The ESP packet inside an IPv4 packet to `target`, raw or in UDP to port 4500."""
    if len(packet) < 20 or packet[0] >> 4 != 4 or packet[16:20] != target:
        return None
    body = packet[(packet[0] & 0x0F) * 4 :]
    if packet[9] == ESP:
        return body
    if packet[9] == UDP and len(body) > 16 and struct.unpack("!H", body[2:4])[0] == NAT_T:
        payload = body[8:]
        return payload if payload[:4] != bytes(4) else None
    return None


def ipv4_packet(source: str, destination: str, protocol: int, payload: bytes) -> bytes:
    """The kernel fills in the total length, identification and checksum (IPPROTO_RAW)."""
    return (
        struct.pack("!BBHHHBBH", 0x45, 0, 0, 0, 0, 64, protocol, 0)
        + socket.inet_aton(source)
        + socket.inet_aton(destination)
        + payload
    )


def udp(sport: int, dport: int, data: bytes) -> bytes:
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data  # no checksum (IPv4)


def send(plan_file: str, rate: float) -> None:
    with open(plan_file) as f:
        plan = json.load(f)
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    gap = 1 / rate
    sent = 0
    next_at = time.monotonic()
    for item in plan:
        data = bytes.fromhex(item["data"])
        if item["protocol"] == UDP:
            data = udp(item["sport"], item["dport"], data)
        sock.sendto(
            ipv4_packet(item["source"], item["destination"], item["protocol"], data),
            (item["destination"], 0),
        )
        sent += 1
        next_at += gap
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    print(json.dumps({"sent": sent}))


def main() -> None:
    command, args = sys.argv[1], sys.argv[2:]
    if command == "capture":
        capture(args[0], args[1], int(args[2]), float(args[3]), args[4])
    elif command == "send":
        send(args[0], float(args[1]))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
