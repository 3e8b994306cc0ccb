"""From a capture file to decoded (and, given keys, decrypted) IKEv2 messages and, given ESP
keys, ESP packets (`decode.esp`).

Nothing here raises on bad input past the capture itself: a malformed message, a missing
key or a failed integrity check becomes a note on that message, and decoding goes on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from pyike.capture import CapturedDatagram, read_capture
from pyike.codec.errors import DecodeError
from pyike.codec.message import Message, Payload, decode_message
from pyike.codec.payloads import SkfPayload, SkPayload
from pyike.codec.protect import open_protected, open_protected_fragment, reassemble_fragments
from pyike.codec.registry import IntegId
from pyike.codec.udp_encap import Carried
from pyike.crypto.encr import encr_algorithm
from pyike.crypto.errors import CryptoError, IntegrityError
from pyike.crypto.integ import IntegAlgorithm, UncheckedIntegrity, integ_algorithm
from pyike.crypto.sk import IkeSkCipher
from pyike.decode.esp import DecodedEsp, decode_esp, is_esp
from pyike.decode.gre import DecodedGre, decode_gre
from pyike.wireshark_keys import EspSaKeys, IkeSaKeys, UncheckedIcv


@dataclass
class DecodedMessage:
    """One IKE datagram of the capture and what could be made of it."""

    datagram: CapturedDatagram
    message: Message | None = None
    error: DecodeError | None = None
    inner: list[Payload] | None = None  # decrypted contents of SK (or of all SKF fragments)
    notes: list[str] = field(default_factory=list)  # what a reader should know
    problems: list[str] = field(default_factory=list)  # what went wrong with this datagram

    @property
    def troubled(self) -> bool:
        return self.error is not None or bool(self.problems)

    @property
    def encrypted(self) -> bool:
        return self.message is not None and any(
            isinstance(p, (SkPayload, SkfPayload)) for p in self.message.payloads
        )


def _cipher(keys: IkeSaKeys, from_initiator: bool) -> IkeSkCipher:
    encr = encr_algorithm(keys.encr.id, keys.encr.key_length)
    sk_e, sk_a = (keys.sk_ei, keys.sk_ai) if from_initiator else (keys.sk_er, keys.sk_ar)
    integ: IntegAlgorithm | None = None
    if isinstance(keys.integ, UncheckedIcv):
        integ = UncheckedIntegrity(keys.integ.size, len(sk_a))
    elif keys.integ.id != IntegId.NONE:
        integ = integ_algorithm(keys.integ.id)
    return IkeSkCipher(encr, integ, sk_e, sk_a)


class _Decryptor:
    """Finds the keys of a message's IKE SA and keeps fragments until all have arrived."""

    def __init__(self, keys: Sequence[IkeSaKeys]) -> None:
        self._keys = {(k.spi_i, k.spi_r): k for k in keys}
        self._fragments: dict[tuple[bytes, bytes, int, int], dict[int, tuple[int, bytes]]] = {}

    def decrypt(self, record: DecodedMessage) -> None:
        message = record.message
        assert message is not None
        header = message.header
        spis = f"{header.spi_i.hex().upper()}/{header.spi_r.hex().upper()}"
        keys = self._keys.get((header.spi_i, header.spi_r))
        if keys is None:
            record.notes.append(f"no keys for IKE SA {spis}: encrypted payloads not shown")
            return
        direction = "SK_ei/SK_ai" if header.initiator else "SK_er/SK_ar"
        try:
            cipher = _cipher(keys, header.initiator)
            data = record.datagram.payload
            if isinstance(message.payloads[-1], SkfPayload):
                self._fragment(record, cipher, data)
            else:
                record.inner = open_protected(data, cipher)[1]
            if isinstance(keys.integ, UncheckedIcv) and record.inner is not None:
                record.notes.append("ICV not checked")
        except IntegrityError:
            record.problems.append(
                f"integrity check failed with the {direction} keys given for IKE SA {spis}: "
                "wrong key, or the message was altered; encrypted payloads not shown"
            )
        except DecodeError as exc:
            record.problems.append(f"decrypted contents are malformed: {exc.detail}")
        except CryptoError as exc:
            record.problems.append(f"cannot decrypt with the keys given for IKE SA {spis}: {exc}")

    def _fragment(self, record: DecodedMessage, cipher: IkeSkCipher, data: bytes) -> None:
        message, skf, chunk = open_protected_fragment(data, cipher)
        header = message.header
        key = (header.spi_i, header.spi_r, header.message_id, int(header.response))
        parts = self._fragments.setdefault(key, {})
        parts[skf.fragment_number] = (int(skf.first_inner_type), chunk)
        if len(parts) < skf.total_fragments:
            record.notes.append(
                f"fragment {skf.fragment_number} of {skf.total_fragments}: "
                "contents shown once all fragments are in"
            )
            return
        del self._fragments[key]
        ordered = [parts[n] for n in sorted(parts)]
        record.inner = reassemble_fragments(ordered[0][0], [c for _, c in ordered])
        record.notes.append(f"reassembled from {skf.total_fragments} fragments")


def decode_datagrams(
    datagrams: Iterator[CapturedDatagram],
    keys: Sequence[IkeSaKeys] | None = None,
    esp_keys: Sequence[EspSaKeys] | None = None,
) -> Iterator[DecodedMessage | DecodedEsp | DecodedGre]:
    """IKE messages, decrypted when `keys` is given (even empty: each then says it has no
    keys), ESP packets when `esp_keys` is given, and NHRP in clear GRE."""
    decryptor = None if keys is None else _Decryptor(keys)
    for datagram in datagrams:
        if datagram.kind is Carried.GRE:
            nhrp = decode_gre(datagram)
            if nhrp is not None:
                yield nhrp
            continue
        if is_esp(datagram):
            if esp_keys is not None:
                yield decode_esp(datagram, esp_keys)
            continue
        if not datagram.is_ike:
            continue
        record = DecodedMessage(datagram)
        if datagram.truncated:
            record.problems.append("the capture holds only part of this datagram")
        if datagram.fragments > 1:
            record.notes.append(f"reassembled from {datagram.fragments} IP fragments")
        try:
            record.message = decode_message(datagram.payload)
        except DecodeError as exc:
            record.error = exc
        if record.encrypted and decryptor is not None:
            decryptor.decrypt(record)
        yield record


def decode_capture(
    path: str | os.PathLike[str],
    keys: Sequence[IkeSaKeys] | None = None,
    esp_keys: Sequence[EspSaKeys] | None = None,
) -> Iterator[DecodedMessage | DecodedEsp | DecodedGre]:
    """Every IKE datagram of the capture at `path`, decoded, every ESP packet when
    `esp_keys` is given, and every NHRP packet in clear GRE; raises CaptureError only."""
    datagrams = read_capture(path, ike_only=esp_keys is None, gre=True)
    return decode_datagrams(datagrams, keys, esp_keys)
