"""The name a `crypto ikev2 name-mangler` derives from a peer's identity (issue 16), rule by
rule, and the identities a mangler derives no name from."""

from __future__ import annotations

import pytest

from pyike.adapter.name_mangler import mangled_name
from pyike.config.flexvpn_model import NameMangler
from pyike.ike.policy import Identity

FQDN = Identity.fqdn("spoke1.branch.example")
EMAIL = Identity.email("alice@corp.example")
DN = Identity.dn(b"\x30\x00", "cn=spoke1,ou=Branches,o=Example,c=DE,st=Berlin,l=Mitte,dc=corp")


@pytest.mark.parametrize(
    ("mangler", "identity", "name"),
    [
        (NameMangler("M", fqdn="hostname"), FQDN, "spoke1"),
        (NameMangler("M", fqdn="domain"), FQDN, "branch.example"),
        (NameMangler("M", fqdn="all"), FQDN, "spoke1.branch.example"),
        (NameMangler("M", email="username"), EMAIL, "alice"),
        (NameMangler("M", email="domain"), EMAIL, "corp.example"),
        (NameMangler("M", email="all"), EMAIL, "alice@corp.example"),
        (NameMangler("M", dn="common-name"), DN, "spoke1"),
        (NameMangler("M", dn="organization-unit"), DN, "Branches"),
        (NameMangler("M", dn="organization"), DN, "Example"),
        (NameMangler("M", dn="country"), DN, "DE"),
        (NameMangler("M", dn="state"), DN, "Berlin"),
        (NameMangler("M", dn="locality"), DN, "Mitte"),
        (NameMangler("M", dn="domain"), DN, "corp"),
    ],
)
def test_each_rule_derives_its_part_of_the_identity(
    mangler: NameMangler, identity: Identity, name: str
) -> None:
    assert mangled_name(mangler, identity) == name


@pytest.mark.parametrize(
    ("rule", "eap_identity", "name"),
    [
        (("all", ""), "bob@corp.example", "bob@corp.example"),
        (("prefix", "@"), "bob@corp.example", "bob"),
        (("suffix", "@"), "bob@corp.example", "corp.example"),
        (("prefix", "\\"), "CORP\\bob", "CORP"),
        (("suffix", "\\"), "CORP\\bob", "bob"),
        (("prefix", "."), "bob.smith", "bob"),
        (("dn", "common-name"), "cn=bob,o=Corp", "bob"),
        (("prefix", "@"), "bob", None),  # no delimiter to split at
    ],
)
def test_an_eap_peer_is_named_from_its_eap_identity(
    rule: tuple[str, str], eap_identity: str, name: str | None
) -> None:
    # the IKE identity (an FQDN here) has a rule too: the EAP identity is the one used
    mangler = NameMangler("M", fqdn="all", eap=rule)
    assert mangled_name(mangler, FQDN, eap_identity) == name


def test_no_rule_for_the_kind_of_identity_derives_no_name() -> None:
    only_email = NameMangler("M", email="username")
    assert mangled_name(only_email, FQDN) is None
    assert mangled_name(only_email, Identity.address("10.0.0.1")) is None
    assert mangled_name(only_email, EMAIL, "bob@corp.example") is None  # no eap rule
    assert mangled_name(NameMangler("M", fqdn="domain"), Identity.fqdn("spoke1")) is None
    assert mangled_name(NameMangler("M", dn="state"), Identity.dn(b"\x30\x00", "cn=x")) is None
