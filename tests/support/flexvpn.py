"""FlexVPN networks built for tests: a hub with one virtual template and N spokes that ask
for an address (`ip address negotiated`) and send their LAN (`route set access-list`), all on
one WAN subnet, with ECDH group 19 so that hundreds of spokes come up in seconds."""

from __future__ import annotations

from pyike.config import load
from pyike.config.model import Config

KEY = "flex-scale-key"
_CRYPTO = f"""aaa new-model
aaa authorization network FLEX local
crypto ikev2 proposal PROP
 encryption aes-cbc-128
 integrity sha256
 group 19
crypto ikev2 policy POL
 proposal PROP
crypto ikev2 keyring KEYS
 peer ANY
  address 0.0.0.0 0.0.0.0
  pre-shared-key {KEY}
crypto ipsec profile FLEX-IPSEC
 set ikev2-profile FLEX"""

HUB_LAN = "10.0.0.1"
POOL_FIRST = "172.20.0.1"


def wan(n: int) -> str:
    """Spoke n's WAN address on 100.64.0.0/16 (n from 1; the hub is 100.64.0.1)."""
    return f"100.64.{(n + 1) // 256}.{(n + 1) % 256}"


def spoke_lan(n: int) -> str:
    """Spoke n's LAN address (its Loopback1, a /24)."""
    return f"10.{n // 256 + 1}.{n % 256}.1"


def hub_text(spokes: int, pool: int | None = None) -> str:
    """The hub's configuration; its pool holds `pool` addresses (by default one a spoke)."""
    size = spokes if pool is None else pool
    pool_last = f"172.20.{size // 256}.{size % 256}"
    return f"""hostname Hub
{_CRYPTO}
crypto ikev2 authorization policy SPOKES
 pool SPOKE-ADDRESSES
 route set interface
 route set access-list HUB-LAN
crypto ikev2 profile FLEX
 match identity remote address 0.0.0.0
 authentication remote pre-share
 authentication local pre-share
 keyring local KEYS
 aaa authorization group psk list FLEX SPOKES
 virtual-template 1
interface GigabitEthernet0/0
 ip address 100.64.0.1 255.255.0.0
interface Loopback0
 ip address 172.19.0.1 255.255.255.255
interface Loopback1
 ip address {HUB_LAN} 255.255.255.0
interface Virtual-Template1 type tunnel
 ip unnumbered Loopback0
 tunnel mode ipsec ipv4
 tunnel protection ipsec profile FLEX-IPSEC
ip local pool SPOKE-ADDRESSES {POOL_FIRST} {pool_last}
ip access-list standard HUB-LAN
 permit 10.0.0.0 0.0.0.255
"""


def spoke_text(n: int) -> str:
    lan = spoke_lan(n)
    return f"""hostname Spoke{n}
{_CRYPTO}
crypto ikev2 authorization policy LAN
 route set access-list LAN
crypto ikev2 profile FLEX
 match identity remote address 100.64.0.1
 authentication remote pre-share
 authentication local pre-share
 keyring local KEYS
 aaa authorization group psk list FLEX LAN
interface GigabitEthernet0/0
 ip address {wan(n)} 255.255.0.0
interface Loopback1
 ip address {lan} 255.255.255.0
interface Tunnel0
 ip address negotiated
 tunnel source GigabitEthernet0/0
 tunnel destination 100.64.0.1
 tunnel mode ipsec ipv4
 tunnel protection ipsec profile FLEX-IPSEC
ip access-list standard LAN
 permit {lan.rsplit(".", 1)[0]}.0 0.0.0.255
"""


def hub_and_spokes(spokes: int, pool: int | None = None) -> list[Config]:
    """The hub's and the spokes' parsed configurations."""
    out = []
    for text in [hub_text(spokes, pool), *(spoke_text(n) for n in range(1, spokes + 1))]:
        result = load(text)
        result.raise_for_errors()
        out.append(result.config)
    return out


def with_aaa_keys(text: str, keys: dict[str, tuple[str, str]]) -> str:
    """``text`` (a configuration whose profile has `keyring local KEYS`) with no keyring:
    `keyring aaa FLEX` instead, and for each peer name in ``keys`` an authorization policy
    of that name whose `aaa attribute list` holds its (local, remote) keys. The attribute
    lists go before `aaa new-model`, ahead of every authorization policy (inside one, `aaa
    attribute list` is the policy's own sub-command, on IOS as in pyike)."""
    lines = text.splitlines()
    start = lines.index("crypto ikev2 keyring KEYS")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    text = "\n".join(lines[:start] + lines[end:]) + "\n"
    assert " keyring local KEYS\n" in text and "pre-shared-key" not in text
    text = text.replace(" keyring local KEYS\n", " keyring aaa FLEX\n")
    lists = "".join(
        f"aaa attribute list KEYS-{name}\n"
        f" attribute type ipsec:ikev2-password-local {local}\n"
        f" attribute type ipsec:ikev2-password-remote {remote}\n"
        for name, (local, remote) in keys.items()
    )
    policies = "".join(
        f"crypto ikev2 authorization policy {name}\n aaa attribute list KEYS-{name}\n"
        for name in keys
    )
    return text.replace("aaa new-model\n", f"{lists}aaa new-model\n", 1) + policies
