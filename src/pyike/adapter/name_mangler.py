"""The name AAA is asked about for a peer whose authorization or keys go through a `crypto
ikev2 name-mangler`: derived (config/name_mangling.py) from its EAP identity when it
authenticated with EAP, else from its IKE identity by kind (FQDN, e-mail, DN; an address or
key-id derives none)."""

from __future__ import annotations

from pyike.codec.registry import IdType
from pyike.config.flexvpn_model import NameMangler
from pyike.config.name_mangling import derive
from pyike.ike.policy import Identity

_KINDS = {IdType.ID_FQDN: "fqdn", IdType.ID_RFC822_ADDR: "email", IdType.ID_DER_ASN1_DN: "dn"}


def mangled_name(
    mangler: NameMangler, remote_id: Identity | None, eap_identity: str | None = None
) -> str | None:
    """The name ``mangler`` derives for a peer; None when it derives none."""
    if eap_identity is not None:
        return derive(mangler, "eap", eap_identity)
    kind = None if remote_id is None else _KINDS.get(remote_id.id_type)
    if remote_id is None or kind is None or (remote_id.is_dn and remote_id.text is None):
        return None
    return derive(mangler, kind, str(remote_id))


__all__ = ["mangled_name"]
