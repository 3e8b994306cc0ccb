from __future__ import annotations

import os

from pyike.codec.registry import EncrId, IntegId
from pyike.crypto.keys import ChildKeys
from pyike.ipsec.iv_pool import IvPool
from pyike.ipsec.sa import child_sa_pair
from pyike.ipsec.transforms import esp_transform


class CountingSource:
    def __init__(self) -> None:
        self.calls: list[int] = []
        self.stream = b""

    def __call__(self, n: int) -> bytes:
        self.calls.append(n)
        data = os.urandom(n)
        self.stream += data
        return data


def test_ivs_are_successive_slices_of_few_draws() -> None:
    source = CountingSource()
    pool = IvPool(source, block=64)
    ivs = [pool(16) for _ in range(10)]
    assert source.calls == [64, 64, 64]  # 10 IVs of 16 octets from three draws
    assert b"".join(ivs) == source.stream[:160]
    assert len(set(ivs)) == 10  # no IV is handed out twice


def test_a_draw_is_not_split_across_blocks_and_large_requests_go_direct() -> None:
    source = CountingSource()
    pool = IvPool(source, block=40)
    first, second, third = pool(16), pool(16), pool(16)  # 8 octets left over: a new block
    assert source.calls == [40, 40]
    assert third == source.stream[40:56] and first + second == source.stream[:32]
    assert len(pool(100)) == 100 and source.calls[-1] == 100


def test_cbc_esp_takes_its_ivs_from_the_pool_and_still_decrypts() -> None:
    source = CountingSource()
    pool = IvPool(source, block=4096)
    transform = esp_transform(EncrId.AES_CBC, 128, IntegId.HMAC_SHA1_96)
    keys = ChildKeys(b"I" * 16, b"i" * 20, b"R" * 16, b"r" * 20)
    _, i_out = child_sa_pair(
        transform, keys, initiator=True, spi_in=1, spi_out=2, random_bytes=pool
    )
    r_in, _ = child_sa_pair(
        transform, keys, initiator=False, spi_in=2, spi_out=1, random_bytes=os.urandom
    )
    inner = bytes([0x45]) + bytes(39)
    packets = [i_out.encapsulate(inner) for _ in range(100)]
    assert source.calls == [4096]  # one draw for a hundred packets
    ivs = [p[8:24] for p in packets]
    assert b"".join(ivs) == source.stream[:1600] and len(set(ivs)) == 100
    assert all(r_in.decapsulate(p).payload == inner for p in packets)
