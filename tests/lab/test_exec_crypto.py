"""Crypto exec commands on lab routers: sessions, statistics and `clear crypto sa`."""

from __future__ import annotations

import re

from pyike.ike.config_policy import policy_for_config
from pyike.lab.lab import Lab
from pyike.lab.seed import seed_configs


def up_lab() -> Lab:
    lab = Lab(seed_configs(), policy_for_config)
    lab.bring_up_tunnels()
    lab.run_for(5)
    return lab


def exchange_row(text: str, name: str) -> list[int]:
    line = next(line for line in text.splitlines() if line.split()[:1] == [name])
    return [int(n) for n in line.split()[1:]]


def test_ikev2_session_lists_the_child_sa() -> None:
    lab = up_lab()
    text = lab.exec("Router1", "show crypto ikev2 session detailed")
    assert "Session-id:1, Status:UP-ACTIVE, IKE count:1, CHILD count:1" in text
    assert "Encr: 3DES, keysize: 0, esp_hmac: SHA96" in text
    assert "Initiator of SA : Yes" in text


def test_stats_count_what_each_side_sent_and_received() -> None:
    lab = up_lab()
    r1 = lab.exec("Router1", "show crypto ikev2 stats exchange")
    r2 = lab.exec("Router2", "show crypto ikev2 stats exchange")
    # TX REQ, TX RES, RX REQ, RX RES
    assert exchange_row(r1, "IKE_SA_INIT") == [1, 0, 0, 1]
    assert exchange_row(r2, "IKE_SA_INIT") == [0, 1, 1, 0]
    assert exchange_row(r1, "IKE_AUTH") == [1, 0, 0, 1]
    assert exchange_row(r2, "IKE_AUTH") == [0, 1, 1, 0]
    assert exchange_row(r1, "NAT_DETECTION_SOURCE_IP") == [1, 0, 0, 1]
    summary = lab.exec("Router1", "show crypto ikev2 stats")
    assert re.search(r"Total outgoing IKEv2 SA Count:\s+1\s+active:\s+1", summary)
    assert re.search(r"Outgoing IKEv2 Requests: 1\s+accepted:\s+1", summary)
    assert "Invalid input" in lab.exec("Router1", "show crypto ikev2 stats bogus")


def test_clear_crypto_sa_renegotiates_one_child_sa() -> None:
    lab = up_lab()
    before = lab.exec("Router1", "show crypto ipsec sa")
    spi = re.search(r"current outbound spi: (0x\w+)", before)
    assert spi is not None
    assert lab.exec("Router1", "clear crypto sa") == ""
    lab.run_for(10)
    after = lab.exec("Router1", "show crypto ipsec sa")
    assert spi.group(1) not in after
    for host in ("Router1", "Router2"):
        assert len(lab.router(host).crypto.sad.children) == 1  # not one per side
    r1_stats = lab.exec("Router1", "show crypto ikev2 stats exchange")
    assert exchange_row(r1_stats, "CREATE_CHILD_SA_IPSEC") == [1, 0, 0, 1]
    assert exchange_row(r1_stats, "INFORMATIONAL") == [1, 0, 0, 1]
    ping = lab.exec("Router1", "ping 192.168.2.1 source Loopback0")
    assert "Success rate is 100 percent (5/5)" in ping
    assert "#pkts encaps: 5," in lab.exec("Router1", "show crypto ipsec sa")
