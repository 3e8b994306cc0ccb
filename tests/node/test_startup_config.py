"""`show startup-config`: the file a router starts from, read when asked, keys masked, under
IOS's NVRAM line; a router the lab added has none."""

from __future__ import annotations

from pathlib import Path

from pyike.adapter.config_policy import policy_for_config
from pyike.lab.lab import Lab
from pyike.lab.topology_run import build_lab
from pyike.node.exec.parser import INVALID
from pyike.topology import load_topology
from pyike.topology.seed import seed_configs, seed_texts
from tests.support.two_sites import two_sites


def test_the_seed_router_shows_its_file_keys_masked() -> None:
    lab = Lab(seed_configs(), policy_for_config)
    text = lab.exec("Router1", "show startup-config")
    seed = seed_texts()["Router1"]
    head, body = text.split("\n", 1)
    assert head == f"Using {len(seed.encode())} out of 262136 bytes"
    assert body.startswith("hostname Router1\ninterface Loopback0\n")
    assert "  pre-shared-key local *****\n" in body and "cisco" not in body
    assert len(body.splitlines()) == len(seed.splitlines())
    assert INVALID in lab.exec("Router1", "show startup-config x")


def test_a_file_is_read_when_asked_and_an_added_router_has_none(tmp_path: Path) -> None:
    sites = two_sites(tmp_path)
    lab, _ = build_lab(load_topology([sites]), policy_for_config)
    assert "hostname Router2\n" in lab.exec("Router2", "show startup-config")
    (sites / "router2.cfg").write_text("hostname Router2\nip route 0.0.0.0 0.0.0.0 192.0.2.1\n")
    assert lab.exec("Router2", "show startup-config") == (
        "Using 52 out of 262136 bytes\nhostname Router2\nip route 0.0.0.0 0.0.0.0 192.0.2.1\n"
    )
    assert lab.exec("ISP", "show startup-config") == "startup-config is not present\n"
    (sites / "router2.cfg").unlink()
    assert lab.exec("Router2", "show startup-config") == "startup-config is not present\n"
