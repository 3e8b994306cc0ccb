"""`debug crypto ipsec` and the invalid-SPI console message on lab routers."""

from __future__ import annotations

from pyike.adapter.config_policy import policy_for_config
from pyike.ipsec.outer import wrap
from pyike.lab.lab import Lab
from pyike.topology.seed import seed_configs


def seed_lab() -> Lab:
    return Lab(seed_configs(), policy_for_config)


def test_sa_creation_and_deletion_are_shown() -> None:
    lab = seed_lab()
    assert lab.exec("Router1", "debug crypto ipsec") == "Crypto IPSEC debugging is on\n"
    lab.bring_up_tunnels()
    lab.run_for(2)
    r1 = lab.router("Router1").console
    created = [i for i, line in enumerate(r1) if line.endswith("IPSEC(create_sa): sa created,")]
    assert len(created) == 2  # inbound and outbound
    assert r1[created[0] + 1] == "  (sa) sa_dest= 10.0.0.1, sa_proto= 50, "
    assert r1[created[1] + 1] == "  (sa) sa_dest= 10.0.0.2, sa_proto= 50, "
    assert "    sa_trans= esp-3des esp-sha-hmac , sa_conn_id= 18" in r1
    assert "    sa_lifetime(k/sec)= (4608000/3600)" in r1
    lab.exec("Router1", "clear crypto session")
    lab.run_for(1)
    assert sum(line.endswith("IPSEC(delete_sa): deleting SA,") for line in r1) == 2
    # Router 2 never turned the debug on.
    assert not any("IPSEC(" in line for line in lab.router("Router2").console)
    assert lab.exec("Router1", "undebug all").startswith("All possible debugging")


def test_unknown_spi_is_logged_and_dropped() -> None:
    lab = seed_lab()
    lab.bring_up_tunnels()
    lab.run_for(2)
    router2 = lab.router("Router2")
    bogus = wrap(b"\xde\xad\xbe\xef" + bytes(60), "10.0.0.1", "10.0.0.2")
    router2.router.receive("Ethernet0/0", bogus)
    lab.run_for(0.1)
    assert router2.crypto.stats.invalid_spi == 1
    assert any(
        "%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for "
        "destaddr=10.0.0.2, prot=50, spi=0xDEADBEEF(3735928559), srcaddr=10.0.0.1" in line
        for line in router2.console
    )
    # The tunnel is unharmed.
    assert "Success rate is 100 percent" in lab.exec("Router1", "ping 192.168.2.1 source lo0")
