"""The name a `crypto ikev2 name-mangler` (config/flexvpn_model.NameMangler) derives from a
peer's identity, as IOS derives it:

- an FQDN `host.example.com`: `fqdn hostname` -> `host`, `fqdn domain` -> `example.com`,
  `fqdn all` -> the whole name;
- an e-mail address `user@example.com`: `email username` -> `user`, `email domain` ->
  `example.com`, `email all` -> the whole address;
- a distinguished name: `dn FIELD` -> the value of that attribute (`dn common-name` -> the CN);
- an EAP identity: `eap all` -> the whole identity, `eap prefix delimiter C` -> the part before
  the first C, `eap suffix delimiter C` -> the part after it, `eap dn FIELD` -> an attribute of
  the identity read as a DN.

A mangler with no rule for the kind of identity (or an address or key-id, which no rule
covers) derives no name (None): IOS then has no name to ask AAA about.
"""

from __future__ import annotations

from pyike.config.flexvpn_model import DN_FIELDS, NameMangler

_PARTS = {"hostname": 0, "username": 0, "domain": 1}  # before / after the delimiter


def derive(mangler: NameMangler, kind: str, text: str) -> str | None:
    """The name ``mangler`` derives from identity ``text`` of ``kind`` (`fqdn`, `email`, `dn`
    or `eap`); None when it derives none."""
    if kind == "eap":
        return _eap(mangler.eap, text)
    if kind == "fqdn" and mangler.fqdn is not None:
        return _split(text, ".", _PARTS.get(mangler.fqdn))
    if kind == "email" and mangler.email is not None:
        return _split(text, "@", _PARTS.get(mangler.email))
    if kind == "dn" and mangler.dn is not None:
        return dn_field(text, mangler.dn)
    return None


def _eap(rule: tuple[str, str] | None, identity: str) -> str | None:
    if rule is None:
        return None
    kind, value = rule
    if kind == "all":
        return identity
    if kind == "dn":
        return dn_field(identity, value)
    return _split(identity, value, 0 if kind == "prefix" else 1)


def _split(text: str, delimiter: str, part: int | None) -> str | None:
    """The part of ``text`` before (0) or after (1) the first ``delimiter``, the whole text for
    None; None when ``text`` has no delimiter to split at."""
    if part is None:
        return text
    before, found, after = text.partition(delimiter)
    if not found:
        return None
    return (before, after)[part] or None


def dn_field(dn: str, field: str) -> str | None:
    """The value of `dn FIELD`'s attribute in a DN written `cn=R1,ou=Lab,o=Example` (or with
    `/` or `, ` between attributes); None when it has none."""
    wanted = DN_FIELDS[field]
    for part in dn.replace("/", ",").split(","):
        key, found, value = part.partition("=")
        if found and key.strip().lower() == wanted:
            return value.strip() or None
    return None


__all__ = ["derive", "dn_field"]
