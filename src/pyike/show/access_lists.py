"""`show access-lists [NAME]` and `show ip access-lists [NAME]`: the IPv4 access lists of the
configuration, each entry under its sequence number. A standard list's entry names its
source as IOS prints it there (`10.0.0.0, wildcard bits 0.0.0.255`, a host by its address);
an extended entry is printed as configured. pyike filters no interface traffic with access
lists (crypto maps read them to choose what to protect), so no entry shows matches."""

from __future__ import annotations

from collections.abc import Iterable

from pyike.config.model import AccessList, AclEntry


def _standard_text(entry: AclEntry) -> str:
    source = entry.source
    if int(source.wildcard) == 0xFFFFFFFF:
        shown = "any"
    elif int(source.wildcard) == 0:
        shown = str(source.address)
    else:
        shown = f"{source.address}, wildcard bits {source.wildcard}"
    return " ".join([entry.action, shown, *entry.options])


def show_access_lists(acls: Iterable[AccessList], name: str | None = None) -> list[str]:
    lines = []
    for acl in acls:
        if name is not None and acl.name != name:
            continue
        kind = "Standard" if acl.standard else "Extended"
        lines.append(f"{kind} IP access list {acl.name}")
        sequence = 0
        for entry in acl.entries:  # one built in code may lack sequence numbers: IOS's by tens
            sequence = entry.sequence if entry.sequence is not None else sequence + 10
            text = _standard_text(entry) if acl.standard else entry.text
            lines.append(f"    {sequence} {text}")
    return lines
