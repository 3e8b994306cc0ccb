"""Errors of the ESP data plane.

Every failure to protect or process a packet is an `EspError` subclass, so a caller can drop
the packet with one `except`. Messages follow IOS's `%CRYPTO-4-...` wording where IOS has one
and never contain key material or packet contents.
"""

from __future__ import annotations


class EspError(Exception):
    """Base class: a packet that was not protected or not accepted. ``spi`` names the SA."""

    def __init__(self, detail: str, *, spi: int | None = None) -> None:
        self.detail = detail
        self.spi = spi
        super().__init__(detail if spi is None else f"{detail} (spi 0x{spi:08X})")


class EspConfigError(EspError):
    """An SA that cannot be built: unsupported transform, wrong key length, bad window."""


class EspPayloadError(EspError):
    """Outbound: the packet handed in cannot be protected (not an IP packet in tunnel mode)."""


class EspMalformedPacket(EspError):
    """Inbound: an ESP packet whose lengths or structure are wrong (IOS counts a recv error)."""


class EspPaddingError(EspMalformedPacket):
    """Inbound: the decrypted trailer's padding is not 1, 2, 3, ... (RFC 4303 section 2.4)."""


class EspSpiMismatch(EspError):
    """Inbound: the packet's SPI is not this SA's (IOS: rec'd IPSEC packet has invalid spi)."""


class EspReplayError(EspError):
    """Inbound: a duplicate or a sequence number left of the window (IOS: replay check failed)."""

    def __init__(self, detail: str, *, spi: int | None = None, seq: int) -> None:
        self.seq = seq
        super().__init__(detail, spi=spi)


class EspIntegrityError(EspError):
    """Inbound: the ICV did not verify (IOS: mac verification failed)."""


class EspLifetimeExpired(EspError):
    """The SA reached its hard byte or packet limit, or ran out of sequence numbers."""
