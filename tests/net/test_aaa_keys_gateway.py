"""`keyring aaa LIST` with local AAA on `pyike run`'s Gateway (no root: a FlexVPN hub and a
spoke as two Gateways in memory, the hub's clone devices recorded): neither has a keyring;
each finds the other's keys in the `aaa attribute list` of the authorization policy named
after the peer's identity."""

from __future__ import annotations

from pyike.config import load
from pyike.config.model import Config
from tests.support.clone_devices import RecordedDevices, hub_and_spoke_up
from tests.support.flexvpn import hub_text, spoke_text, wan, with_aaa_keys
from tests.support.memory_gateways import GatewayPair

HUB = "100.64.0.1"


def _config(text: str) -> Config:
    result = load(text)
    result.raise_for_errors()
    return result.config


def _pair(hub_keys: tuple[str, str]) -> tuple[GatewayPair, RecordedDevices]:
    hub = _config(with_aaa_keys(hub_text(1), {wan(1): hub_keys}))
    spoke = _config(with_aaa_keys(spoke_text(1), {HUB: ("Spoke-Key", "Hub-Key")}))
    return hub_and_spoke_up(hub, spoke)


def test_the_hub_and_the_spoke_authenticate_with_keys_from_local_aaa() -> None:
    pair, devices = _pair(("Hub-Key", "Spoke-Key"))
    assert len(pair.a.ike_up) == 1 and len(pair.b.ike_up) == 1
    assert [d.interface for d in devices.devices.values()] == ["Virtual-Access1"]


def test_a_key_the_spoke_does_not_have_fails_authentication() -> None:
    pair, devices = _pair(("Other-Key", "Spoke-Key"))
    assert pair.b.ike_up == {} and devices.devices == {}
