"""What the show commands print for AH transforms and EAP authentication, as IOS prints it."""

from __future__ import annotations

from pyike.config import load
from pyike.show import (
    show_crypto_ikev2_profile,
    show_crypto_ipsec_profile,
    show_crypto_ipsec_transform_set,
)

SETS = """\
crypto ipsec transform-set AH-ESP ah-sha-hmac esp-3des
crypto ipsec transform-set AH-ONLY ah-sha256-hmac
 mode transport
crypto ipsec profile P
 set transform-set AH-ESP
"""


def test_the_ah_transform_has_braces_of_its_own_before_esp() -> None:
    cfg = load(SETS).config
    assert show_crypto_ipsec_transform_set(cfg, "AH-ESP") == [
        "Transform set AH-ESP: { ah-sha-hmac  }",
        "   will negotiate = { Tunnel,  },",
        "   { esp-3des  }",
        "   will negotiate = { Tunnel,  },",
        "",
    ]
    assert show_crypto_ipsec_transform_set(cfg, "AH-ONLY") == [
        "Transform set AH-ONLY: { ah-sha256-hmac  }",
        "   will negotiate = { Transport,  },",
        "",
    ]


def test_ipsec_profile_lists_the_set_with_its_ah_transform() -> None:
    lines = show_crypto_ipsec_profile(load(SETS).config, "P")
    assert "                AH-ESP:  { ah-sha-hmac  } { esp-3des  } , " in lines


PROFILE = """\
crypto ikev2 profile RA
 match identity remote any
 authentication local pre-share key k
 authentication remote eap query-identity
 authentication remote eap timeout 120
crypto ikev2 profile CLIENT
 match identity remote fqdn hub.example.com
 authentication remote pre-share key k
 authentication local eap md5 username u password 0 p
"""


def test_ikev2_profile_shows_eap_as_the_method_and_its_options() -> None:
    cfg = load(PROFILE).config
    ra = show_crypto_ikev2_profile(cfg, "RA")
    assert " Remote authentication method(s): eap" in ra
    assert " EAP options: query-identity, timeout 120" in ra
    client = show_crypto_ikev2_profile(cfg, "CLIENT")
    assert " Local authentication method: eap" in client
    assert " EAP options: none" in client
