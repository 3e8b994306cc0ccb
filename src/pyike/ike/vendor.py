"""Vendor ID payloads: Cisco's, recognised when received, and pyike's own, sent."""

from __future__ import annotations

from pyike.codec import VendorPayload

PYIKE_VENDOR_ID = b"pyike IOS-personality IKEv2"

# Text VIDs IOS sends (the seed shows DELETE-REASON and the 17-octet FLEXVPN-SUPPORTED,
# printed as "(CUSTOM)"), and Cisco's binary ones.
KNOWN_VENDOR_IDS: dict[bytes, str] = {
    b"CISCO-DELETE-REASON": "CISCO-DELETE-REASON",
    b"FLEXVPN-SUPPORTED": "FLEXVPN-SUPPORTED",
    b"CISCO-GRANITE": "CISCO-GRANITE",
    b"CISCO-DYNAMIC-ROUTE": "CISCO-DYNAMIC-ROUTE",
    bytes.fromhex("12f5f28c457168a9702d9fe274cc0100"): "Cisco Unity",
    PYIKE_VENDOR_ID: "pyike",
}


def vendor_name(payload: VendorPayload) -> str:
    name = KNOWN_VENDOR_IDS.get(payload.data)
    if name is not None:
        return name
    if payload.data.startswith(b"CISCO"):
        return payload.data.decode("ascii", "replace")
    return "(CUSTOM)"


def own_vendor_ids() -> list[VendorPayload]:
    return [VendorPayload(PYIKE_VENDOR_ID)]
