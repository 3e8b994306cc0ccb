"""NAT detection (RFC 7296 section 2.23): the notifies each side sends, and what the peer's
tell us."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from pyike.codec import NotifyPayload
from pyike.codec.notify_data import (
    nat_detection_digest,
    nat_detection_hash,
    nat_detection_notify,
)
from pyike.codec.registry import NotifyType
from pyike.ike.events import Endpoint

_SOURCE = NotifyType.NAT_DETECTION_SOURCE_IP
_DESTINATION = NotifyType.NAT_DETECTION_DESTINATION_IP


def natd_notifies(
    spi_i: bytes,
    spi_r: bytes,
    local: Endpoint,
    remote: Endpoint,
    fake_source: bytes | None = None,
) -> list[NotifyPayload]:
    """``fake_source``: random bytes sent as the source hash instead of the real one, so that
    the peer believes this side is behind a NAT (forced UDP encapsulation)."""
    source = (
        NotifyPayload(_SOURCE, fake_source)
        if fake_source is not None
        else nat_detection_notify(_SOURCE, spi_i, spi_r, local.address, local.port)
    )
    return [source, nat_detection_notify(_DESTINATION, spi_i, spi_r, remote.address, remote.port)]


@dataclass(frozen=True)
class NatResult:
    """``checked`` is False when the peer sent no NAT detection notifies."""

    checked: bool
    remote_matches: bool = True
    local_matches: bool = True

    @property
    def nat_detected(self) -> bool:
        return self.checked and not (self.remote_matches and self.local_matches)

    @property
    def local_behind_nat(self) -> bool:
        return self.checked and not self.local_matches

    def forced(self) -> NatResult:
        """The result when UDP encapsulation is forced: a NAT the hashes did not reveal is
        assumed in front of the peer (so this side sends no keepalives of its own)."""
        return self if self.nat_detected else NatResult(True, remote_matches=False)


# The results there are, made once (frozen): an SA starts with one, IKE_SA_INIT finds another.
NOT_CHECKED = NatResult(False)
_CHECKED = {
    (remote, local): NatResult(True, remote, local)
    for remote in (False, True)
    for local in (False, True)
}


def detect(
    notifies: list[NotifyPayload], spi_i: bytes, spi_r: bytes, local: Endpoint, remote: Endpoint
) -> NatResult:
    """Compares the peer's hashes with the addresses the datagram really came from and to.
    Raises DecodeError for a malformed hash."""
    sources = [n for n in notifies if n.notify_type == _SOURCE]
    destinations = [n for n in notifies if n.notify_type == _DESTINATION]
    if not sources or not destinations:
        return NOT_CHECKED
    # The peer hashed its own address as source and ours as destination.
    expected_src = nat_detection_hash(spi_i, spi_r, remote.address, remote.port)
    expected_dst = nat_detection_hash(spi_i, spi_r, local.address, local.port)
    remote_ok = any(hmac.compare_digest(nat_detection_digest(n), expected_src) for n in sources)
    local_ok = any(hmac.compare_digest(nat_detection_digest(n), expected_dst) for n in destinations)
    return _CHECKED[remote_ok, local_ok]
