"""Decode and encode time of pyike's IKE codec on the four messages of an IKE SA setup.

    .venv/bin/python bench/codec_speed.py [--group 19] [--loops 2000] [--repeat 5]

Two `IkeEngine`s with the configurations of `ike_setup_rate.py` (the load generator and the
responder, PSK, one child SA) set up two IKE SAs in memory; the second one's IKE_SA_INIT
request and response and IKE_AUTH request and response are taken from their senders' packet
traces (the payload objects each engine built and encoded). The IKE_SA_INIT messages are
timed as `decode_message` of the datagram and `encode_message` of the sender's message; the
IKE_AUTH ones as `decode_payload_chain` of the decrypted SK body (IDi/IDr, AUTH, CP, SA with
the ESP proposal, TSi, TSr, notifies) and `encode_payload_chain` of the sender's payloads:
the codec's work without the cipher's.

Each figure is the best of --repeat runs of --loops calls, in µs per message. `x ref` divides
it by a reference timed in the same run (before and after the messages, the better kept):
`json.loads` of an 800-byte document, so that runs on different machines can be compared.
Not a test: it asserts nothing about speed; it only checks that each message decodes and
re-encodes to what it was.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlab import pyike_config
from ike_setup_rate import (
    GROUP_SUITES,
    LOADGEN,
    RESPONDER,
    DistinctSessions,
    responder_pyike_config,
    session_tunnel,
)

from pyike.adapter.config_policy import policy_for_config
from pyike.codec import (
    decode_message,
    decode_payload_chain,
    encode_message,
    encode_payload_chain,
)
from pyike.config import load
from pyike.ike.engine import IkeEngine
from pyike.ike.trace import Direction, PacketTrace


@dataclass(frozen=True)
class Sample:
    name: str
    wire: bytes  # the datagram (IKE_SA_INIT) or the decrypted SK body (IKE_AUTH)
    decode: Callable[[], object]
    encode: Callable[[], object]


def setup_exchange(group: str) -> list[PacketTrace]:
    """The four messages of the second of two IKE SAs (the first carries INITIAL_CONTACT, as
    in `ike_setup_rate.py`), each as its sender traced it: the objects the engine encoded."""
    suite = GROUP_SUITES[group]
    policy, tunnels = policy_for_config(load(pyike_config(LOADGEN, RESPONDER, suite)).config)
    r_policy, _ = policy_for_config(load(responder_pyike_config(suite)).config)
    initiator = IkeEngine(DistinctSessions(policy), os.urandom)
    responder = IkeEngine(r_policy, os.urandom)
    now = 1000.0
    requests: list[PacketTrace] = []
    responses: list[PacketTrace] = []
    for session in (0, 1):
        initiator.trace()
        responder.trace()
        initiator.initiate(now, session_tunnel(tunnels[0], session))
        while datagrams := initiator.datagrams_to_send():
            for d in datagrams:
                responder.receive_datagram(now, d.remote, d.local, d.data)
            for d in responder.datagrams_to_send():
                initiator.receive_datagram(now, d.remote, d.local, d.data)
        requests, responses = _sent(initiator), _sent(responder)
    if len(requests) != 2 or len(responses) != 2:
        raise RuntimeError(f"expected 2 requests and 2 responses, traced {requests + responses}")
    return [requests[0], responses[0], requests[1], responses[1]]


def _sent(engine: IkeEngine) -> list[PacketTrace]:
    return [
        r for r in engine.trace() if isinstance(r, PacketTrace) and r.direction is Direction.SENT
    ]


def samples(records: list[PacketTrace]) -> list[Sample]:
    names = [
        "IKE_SA_INIT request",
        "IKE_SA_INIT response",
        "IKE_AUTH request (SK body)",
        "IKE_AUTH response (SK body)",
    ]
    out: list[Sample] = []
    for name, record in zip(names, records, strict=True):
        if record.inner is None:
            message = record.message
            wire = encode_message(message)
            if encode_message(decode_message(wire)) != wire:
                raise RuntimeError(f"{name} does not re-encode to the bytes decoded")
            out.append(
                Sample(
                    name,
                    wire,
                    partial(decode_message, wire),
                    partial(encode_message, message),
                )
            )
        else:
            inner = list(record.inner)
            first, body = encode_payload_chain(inner)
            if decode_payload_chain(first, body) != inner:
                raise RuntimeError(f"{name} does not decode to the payloads encoded")
            out.append(
                Sample(
                    name,
                    body,
                    partial(decode_payload_chain, first, body),
                    partial(encode_payload_chain, inner),
                )
            )
    return out


def best_us(call: Callable[[], object], loops: int, repeat: int) -> float:
    """µs per call of the fastest of ``repeat`` runs of ``loops`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(loops):
            call()
        best = min(best, (time.perf_counter() - start) / loops)
    return best * 1e6


def reference_document() -> str:
    """About 800 bytes of JSON, nested as an SA payload is: proposals of transforms."""
    transforms = [
        {"type": t, "id": 12 + t, "attributes": [{"type": 14, "value": 128}]} for t in range(4)
    ]
    proposals = [
        {"number": n, "protocol": 3, "spi": "0a0b0c0d", "transforms": transforms} for n in (1, 2)
    ]
    return json.dumps({"next": 33, "flags": 8, "proposals": proposals, "nonce": "ab" * 32})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--group", default="19", choices=sorted(GROUP_SUITES))
    parser.add_argument("--loops", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    cases = samples(setup_exchange(args.group))
    document = reference_document()

    def reference() -> float:
        return best_us(lambda: json.loads(document), args.loops, args.repeat)

    before = reference()
    timed = [
        (
            case,
            best_us(case.decode, args.loops, args.repeat),
            best_us(case.encode, args.loops, args.repeat),
        )
        for case in cases
    ]
    ref = min(before, reference())
    print(
        f"pyike codec, group {args.group}: Python {platform.python_version()},"
        f" {os.cpu_count()} CPUs; best of {args.repeat} x {args.loops} calls"
    )
    print(
        f"{'message':<28} {'bytes':>5} {'decode µs':>9} {'x ref':>6} {'encode µs':>9} {'x ref':>6}"
    )
    print("-" * 68)
    print(f"{'ref: json.loads':<28} {len(document):5} {ref:9.2f} {1:6.2f}")
    for case, decode, encode in timed:
        print(
            f"{case.name:<28} {len(case.wire):5} {decode:9.2f} {decode / ref:6.2f}"
            f" {encode:9.2f} {encode / ref:6.2f}"
        )
    total_decode = sum(decode for _, decode, _ in timed)
    total_encode = sum(encode for _, _, encode in timed)
    print(
        f"{'all four':<28} {'':5} {total_decode:9.2f} {total_decode / ref:6.2f}"
        f" {total_encode:9.2f} {total_encode / ref:6.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
