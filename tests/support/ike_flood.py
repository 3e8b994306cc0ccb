"""An IKE_SA_INIT flood for the robustness test, run as a script inside its own namespace:
`python flood.py TARGET PORT COUNT SECONDS`. Each request is well formed (the seed's proposal,
a MODP-1024 KE, a nonce) and comes from a fresh SPI; a COOKIE answer is echoed back once, as a
determined attacker would. Prints a JSON summary of the answers."""

from __future__ import annotations

import json
import os
import socket
import sys
import time

from pyike.codec import (
    IkeHeader,
    KePayload,
    Message,
    NoncePayload,
    NotifyPayload,
    Payload,
    SaPayload,
    decode_message,
    encode_message,
    make_flags,
)
from pyike.codec.notify_data import cookie_notify
from pyike.codec.registry import DhId, EncrId, ExchangeType, IntegId, NotifyType
from pyike.ike.policy import ike_proposal
from pyike.ike.proposals import ike_sa_payload

PROPOSAL = ike_proposal(
    "seed", ((EncrId.AES_CBC, 128),), (IntegId.HMAC_SHA1_96,), (DhId.MODP_1024,)
)


NONCES: dict[bytes, bytes] = {}  # the cookie covers the nonce: a retry repeats it


def request(spi: bytes, cookie: bytes | None) -> bytes:
    header = IkeHeader(
        spi_i=spi,
        exchange_type=ExchangeType.IKE_SA_INIT,
        flags=make_flags(initiator=True, response=False),
    )
    payloads: list[Payload] = [] if cookie is None else [cookie_notify(cookie)]
    payloads += [
        ike_sa_payload([PROPOSAL]),
        KePayload(DhId.MODP_1024, b"\x7f" + os.urandom(127)),
        NoncePayload(NONCES.setdefault(spi, os.urandom(32))),
    ]
    return encode_message(Message(header, payloads))


def main() -> None:
    target, port, count, seconds = (
        sys.argv[1],
        int(sys.argv[2]),
        int(sys.argv[3]),
        float(sys.argv[4]),
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(0.01)
    summary = {"sent": 0, "cookies": 0, "accepted": 0, "other": 0}
    deadline = time.monotonic() + seconds
    spis = [os.urandom(8) for _ in range(count)]
    for spi in spis:
        if time.monotonic() > deadline:
            break
        sock.sendto(request(spi, None), (target, port))
        summary["sent"] += 1
        time.sleep(seconds / (2 * count))
        drain(sock, summary, target, port)
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        drain(sock, summary, target, port)
    print(json.dumps(summary))


def drain(sock: socket.socket, summary: dict[str, int], target: str, port: int) -> None:
    while True:
        try:
            data = sock.recv(65535)
        except (TimeoutError, BlockingIOError):
            return
        try:
            message = decode_message(data)
        except Exception:
            summary["other"] += 1
            continue
        first = message.payloads[0] if message.payloads else None
        if isinstance(first, NotifyPayload) and first.notify_type == NotifyType.COOKIE:
            summary["cookies"] += 1
            sock.sendto(request(message.header.spi_i, first.data), (target, port))
            summary["sent"] += 1
        elif any(isinstance(p, SaPayload) for p in message.payloads):
            summary["accepted"] += 1
        else:
            summary["other"] += 1


if __name__ == "__main__":
    main()
