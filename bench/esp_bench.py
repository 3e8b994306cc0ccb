"""ESP encryption and decryption throughput per transform, with a raw-AEAD reference.

    .venv/bin/python bench/esp_bench.py [--packets N] [--repeat R] [--sizes 64,512,1400]
                                        [--only SUBSTRING]

For each transform and payload size it times OutboundEspSa.encapsulate and
InboundEspSa.decapsulate (sequence numbers, anti-replay, padding, ICV and counters included)
over N distinct packets, best of R runs, and prints packets/s and payload Mbit/s. The
reference line times `cryptography`'s AESGCM.encrypt / ChaCha20Poly1305.encrypt on the same
payload sizes with a cached key: the cost of the cipher alone, so `x ref` shows how much ESP
processing in Python adds on top. Not a test: it asserts nothing but that packets round-trip.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable

import cryptography
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

from pyike.codec.registry import EncrId, IntegId
from pyike.ipsec import EspTransform, InboundEspSa, OutboundEspSa, esp_transform

TRANSFORMS: list[tuple[str, EspTransform]] = [
    ("esp-gcm 128", esp_transform(EncrId.AES_GCM_16, 128)),
    ("esp-gcm 256", esp_transform(EncrId.AES_GCM_16, 256)),
    ("esp-chacha20-poly1305", esp_transform(EncrId.CHACHA20_POLY1305, None)),
    ("esp-aes esp-sha-hmac", esp_transform(EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96)),
    ("esp-aes 256 esp-sha256-hmac", esp_transform(EncrId.AES_CBC, 256, IntegId.HMAC_SHA2_256_128)),
    ("esp-aes 256 esp-sha384-hmac", esp_transform(EncrId.AES_CBC, 256, IntegId.HMAC_SHA2_384_192)),
    ("esp-aes 256 esp-sha512-hmac", esp_transform(EncrId.AES_CBC, 256, IntegId.HMAC_SHA2_512_256)),
    ("esp-aes 192 esp-md5-hmac", esp_transform(EncrId.AES_CBC, 192, IntegId.HMAC_MD5_96)),
    ("esp-3des esp-sha-hmac", esp_transform(EncrId.TRIPLE_DES, None, IntegId.HMAC_SHA1_96)),
    ("esp-null esp-sha-hmac", esp_transform(EncrId.NULL, None, IntegId.HMAC_SHA1_96)),
]


def inner_packet(size: int) -> bytes:
    """An IPv4 packet of `size` octets (tunnel-mode payload)."""
    header = bytes([0x45, 0]) + size.to_bytes(2, "big") + bytes(5) + b"\x11" + bytes(10)
    return header + os.urandom(size - 20)


def best_rate(run: Callable[[], int], repeat: int) -> float:
    """Items per second of the fastest of `repeat` runs."""
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        count = run()
        best = max(best, count / (time.perf_counter() - start))
    return best


def measure(transform: EspTransform, size: int, packets: int, repeat: int) -> tuple[float, float]:
    encr = os.urandom(transform.encr_key_size)
    integ = os.urandom(transform.integ_key_size)
    payload = inner_packet(size)
    spi = 0x12345678
    outbound = OutboundEspSa(spi, transform, encr, integ, random_bytes=os.urandom)

    def encrypt() -> int:
        encapsulate = outbound.encapsulate
        for _ in range(packets):
            encapsulate(payload)
        return packets

    encrypt_rate = best_rate(encrypt, repeat)
    batches = [[outbound.encapsulate(payload) for _ in range(packets)] for _ in range(repeat)]
    rounds = iter(batches)

    def decrypt() -> int:
        # A fresh SA per run: the same packets again would be replays.
        decapsulate = InboundEspSa(spi, transform, encr, integ, replay_window=1024).decapsulate
        for packet in next(rounds):
            decapsulate(packet)
        return packets

    decrypt_rate = best_rate(decrypt, repeat)
    check = InboundEspSa(spi, transform, encr, integ).decapsulate(batches[0][0])
    assert check.payload == payload
    return encrypt_rate, decrypt_rate


def reference(size: int, packets: int, repeat: int, aead: AESGCM | ChaCha20Poly1305) -> float:
    payload = os.urandom(size)
    aad = os.urandom(8)
    nonce = os.urandom(12)

    def run() -> int:
        encrypt = aead.encrypt
        for _ in range(packets):
            encrypt(nonce, payload, aad)
        return packets

    return best_rate(run, repeat)


def mbits(rate: float, size: int) -> float:
    return rate * size * 8 / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=5000, help="packets per run (5000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs, best kept (3)")
    parser.add_argument("--sizes", default="64,512,1400", help="payload octets (64,512,1400)")
    parser.add_argument("--only", default="", help="transforms whose name contains this")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if any(s < 20 for s in sizes):
        parser.error("payload sizes start at 20 (an IPv4 header)")

    print(
        f"pyike ESP benchmark: Python {platform.python_version()}, cryptography"
        f" {cryptography.__version__}, {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(f"{args.packets} packets per run, best of {args.repeat}; Mbit/s counts payload octets\n")
    header = f"{'transform':29} {'size':>5} {'encrypt pps':>12} {'Mbit/s':>8} {'decrypt pps':>12}"
    header += f" {'Mbit/s':>8} {'x ref':>6}"
    print(header)
    print("-" * len(header))
    refs: dict[int, float] = {}
    raw_ciphers = (
        ("ref: raw AESGCM-128.encrypt", AESGCM(os.urandom(16))),
        ("ref: raw ChaCha20Poly1305", ChaCha20Poly1305(os.urandom(32))),
    )
    for size in sizes:
        for name, aead in raw_ciphers:
            rate = reference(size, args.packets, args.repeat, aead)
            refs[size] = refs.get(size, rate)
            print(f"{name:29} {size:5} {rate:12,.0f} {mbits(rate, size):8,.0f}")
    for name, transform in TRANSFORMS:
        if args.only not in name:
            continue
        for size in sizes:
            enc, dec = measure(transform, size, args.packets, args.repeat)
            ratio = refs[size] / enc
            print(
                f"{name:29} {size:5} {enc:12,.0f} {mbits(enc, size):8,.0f} {dec:12,.0f}"
                f" {mbits(dec, size):8,.0f} {ratio:6.1f}"
            )
        sys.stdout.flush()
    print("\nx ref: raw AESGCM-128.encrypt packets/s / this transform's ESP encrypt packets/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
