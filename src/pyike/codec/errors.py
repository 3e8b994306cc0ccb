"""The one exception type the codec's decode functions raise."""

from __future__ import annotations

from pyike.codec.registry import NotifyType, PayloadType, name_of


class DecodeError(Exception):
    """A datagram (or decrypted payload chain) that is not a well-formed IKEv2 message.

    ``notify`` is the error a responder sends back (RFC 7296 section 3.10.1); ``payload`` names
    the offending payload (an int for a payload type with no IANA name, None for the header);
    ``offset`` is the byte position of the problem in the decoded data.
    """

    def __init__(
        self,
        detail: str,
        *,
        payload: PayloadType | int | None = None,
        notify: NotifyType = NotifyType.INVALID_SYNTAX,
        offset: int = 0,
    ) -> None:
        self.detail = detail
        self.payload = payload
        self.notify = notify
        self.offset = offset
        super().__init__(str(self))

    @property
    def payload_name(self) -> str:
        if self.payload is None:
            return "IKE header"
        return name_of(PayloadType, self.payload)

    @property
    def notify_data(self) -> bytes:
        """Notification Data to send with ``notify`` (the payload type octet for
        UNSUPPORTED_CRITICAL_PAYLOAD, RFC 7296 section 3.10.1; empty otherwise)."""
        if self.notify == NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD and self.payload is not None:
            return bytes([int(self.payload) & 0xFF])
        return b""

    def __str__(self) -> str:
        return f"{self.notify.name}: {self.payload_name}: {self.detail} (at offset {self.offset})"
