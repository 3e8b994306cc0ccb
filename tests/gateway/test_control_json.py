"""Structured answers on the control socket: `{"query": "sas"}` (`pyike exec --query sas`)
gives the IKE and IPsec SAs as JSON with what `show crypto ikev2 sa detailed` and `show
crypto ipsec sa` print, checked here against those commands as Cisco's genie parsers read
them, on a running pair of gateways; an unknown query is refused in one line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.support.daemons import pyike_exec, seed_pair, wait_for_control
from tests.support.genie_parse import parse
from tests.support.netns import PYIKE, Lab, wait_for
from tests.support.traffic import ping


def query(control: Path, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PYIKE, "exec", "--control", str(control), "--query", name],
        capture_output=True,
        text=True,
        timeout=30,
    )


def _sas(control: Path) -> dict[str, Any]:
    done = query(control, "sas")
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def test_sas_as_json_match_the_show_commands(netlab: Lab, tmp_path: Path) -> None:
    r1, _r2, _procs = seed_pair(netlab, tmp_path)
    control = tmp_path / "r1.sock"
    wait_for_control(control, "r1")
    wait_for(lambda: ping(r1, "192.168.1.1", "192.168.2.1", 1).returncode == 0, 30, "tunnel")
    assert " 0% packet loss" in ping(r1, "192.168.1.1", "192.168.2.1", 5).stdout

    # both routers start their tunnel: a crossing second IKE SA may still be going away
    wait_for(lambda: len(_sas(control)["ike_sas"]) == 1, 30, "one IKE SA")
    document = _sas(control)
    ike_shown = parse(
        "show crypto ikev2 sa detail", _lines(control, "show crypto ikev2 sa detailed")
    )
    ipsec_shown = parse("show crypto ipsec sa", _lines(control, "show crypto ipsec sa"))

    assert document["schema"] == "pyike-sas/1"
    [sa] = document["ike_sas"]
    # genie numbers the SAs it reads from 1: they are told apart by their SPIs
    [shown] = [v for v in ike_shown["tunnel_id"].values() if v["local_spi"] == sa["local_spi"]]
    assert f"{sa['local']}/{sa['local_port']}" == shown["local"] == "10.0.0.1/500"
    assert f"{sa['remote']}/{sa['remote_port']}" == shown["remote"] == "10.0.0.2/500"
    assert sa["status"] == "READY" and shown["status"] == "ready"
    for key, genie_key in (
        ("encryption", "encryption"), ("prf", "prf"), ("hash", "hash"),
        ("status_description", "status_description"), ("nat", "nat_t"),
    ):  # fmt: skip
        assert sa[key].lower() == shown[genie_key], key
    for key, genie_key in (
        ("key_bits", "keysize"), ("dh_group", "dh_grp"), ("lifetime", "life_time"),
        ("ce_id", "ce_id"), ("session_id", "session_id"), ("local_window", "local_window"),
        ("remote_window", "remote_window"), ("local_next_msg_id", "local_next_msg_id"),
        ("remote_next_msg_id", "remote_next_msg_id"), ("dpd_interval", "dpd_configured_time"),
    ):  # fmt: skip
        assert sa[key] == shown[genie_key], key
    assert (sa["local_spi"], sa["remote_spi"]) == (shown["local_spi"], shown["remote_spi"])
    assert (sa["local_id"], sa["remote_id"]) == (shown["local_id"], shown["remote_id"])
    assert sa["initiator"] is (shown["initiator_of_sa"] == "yes")
    assert abs(sa["active_time"] - shown["active_time"]) <= 2  # asked a moment apart

    [tunnel] = document["ipsec"]
    assert (tunnel["interface"], tunnel["crypto_map_tag"]) == ("Tunnel0", "Tunnel0-head-0")
    [flow] = tunnel["flows"]
    flow_shown = ipsec_shown["interface"]["Tunnel0"]["ident"][1]
    assert flow["peer"] == flow_shown["peer_ip"] and flow["peer_port"] == flow_shown["port"]
    assert flow["local_ident"] == {"network": "0.0.0.0/0", "protocol": 256, "port": 0}
    counters = flow["counters"]
    assert counters["encaps"] == flow_shown["pkts_encaps"] >= 5
    assert counters["decaps"] == flow_shown["pkts_decaps"] >= 5
    assert counters["send_errors"] == flow_shown["send_errors"]
    assert counters["recv_errors"] == flow_shown["recv_errors"]
    assert flow["current_outbound_spi"] == flow_shown["current_outbound_spi"].split("(")[0]
    assert (flow["path_mtu"], flow["ip_mtu"], flow["ip_mtu_idb"]) == (
        flow_shown["path_mtu"], flow_shown["ip_mtu"], flow_shown["ip_mtu_idb"],
    )  # fmt: skip
    for direction in ("inbound", "outbound"):
        [esp] = flow[direction]
        [(spi, esp_shown)] = flow_shown[f"{direction}_esp_sas"]["spi"].items()
        assert esp["spi"] == spi.split("(")[0]
        assert esp["transform"] == esp_shown["transform"] == "esp-3des esp-sha-hmac"
        assert esp["conn_id"] == esp_shown["conn_id"]
        assert esp["status"] == esp_shown["status"] == "ACTIVE(ACTIVE)"
        assert f"{esp['iv_size']} bytes" == esp_shown["iv_size"]

    refused = query(control, "nope")
    assert refused.returncode == 1
    assert refused.stderr == "% Unknown query nope (known: sas, memory, reload)\n"
    # the connection's text commands are unchanged
    assert "READY" in pyike_exec(control, "show crypto ikev2 sa")


def _lines(control: Path, command: str) -> list[str]:
    return pyike_exec(control, command).splitlines()
