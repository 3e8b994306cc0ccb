"""Captures cut short, damaged, or not captures at all: `pyike decode` prints the messages
before the damage, then one error line naming where it is, and exits 2 (as tshark does)."""

from __future__ import annotations

import gzip
import json
import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyike.capture import CaptureError, read_capture, read_frames
from pyike.decode.pipeline import decode_capture
from pyike.decode.render import json_object, text_lines
from pyike.wireshark_keys import read_key_table
from tests.support.cli import run_cli
from tests.support.paths import VECTORS
from tests.support.tools import require_tool

SOURCE = VECTORS / "strongswan-aes128" / "handshake.pcap"
PCAPNG_PACKET_BLOCKS = {2, 3, 6}


def pcap_frames(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of every record of a pcap file."""
    order = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    spans, offset = [], 24
    while offset < len(data):
        (captured,) = struct.unpack_from(order + "I", data, offset + 8)
        spans.append((offset, offset + 16 + captured))
        offset += 16 + captured
    return spans


def pcapng_frames(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of every packet block of a single-section pcapng file."""
    order = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    spans, offset = [], 0
    while offset < len(data):
        block_type, length = struct.unpack_from(order + "II", data, offset)
        if block_type in PCAPNG_PACKET_BLOCKS:
            spans.append((offset, offset + length))
        offset += length
    return spans


@pytest.fixture(params=["pcap", "pcapng"])
def capture(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[bytes, list[tuple[int, int]]]:
    """The strongSwan handshake as pcap, and as pcapng written by Wireshark's editcap."""
    if request.param == "pcap":
        data = SOURCE.read_bytes()
        return data, pcap_frames(data)
    converted = tmp_path / "handshake.pcapng"
    subprocess.run(
        [require_tool("editcap"), "-F", "pcapng", str(SOURCE), str(converted)], check=True
    )
    data = converted.read_bytes()
    return data, pcapng_frames(data)


def frame_blocks(out: str) -> dict[int, str]:
    """Frame number -> its printed block."""
    blocks = [b for b in out.split("\n\n") if b.startswith("Frame ")]
    return {int(b.split()[1]): b for b in blocks}


def decode_cut(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data: bytes
) -> tuple[int, str, str, Path]:
    cut = tmp_path / "cut"
    cut.write_bytes(data)
    code, out, err = run_cli(capsys, "decode", str(cut))
    return code, out, err, cut


def test_cut_in_the_file_header(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    capture: tuple[bytes, list[tuple[int, int]]],
) -> None:
    data, _ = capture
    code, out, err, cut = decode_cut(capsys, tmp_path, data[:10])
    assert (code, out) == (2, "")
    header = "file header" if data.startswith(b"\xd4\xc3") else "section header"
    assert err == (
        f"% {cut}: the file appears to have been cut short in the middle of its {header}\n"
    )


def test_cut_inside_the_first_frame(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    capture: tuple[bytes, list[tuple[int, int]]],
) -> None:
    data, frames = capture
    start, end = frames[0]
    for length in (start + 6, start + 30, end - 1):  # in its header, its data, its trailer
        code, out, err, cut = decode_cut(capsys, tmp_path, data[:length])
        assert (code, out) == (2, "")
        assert err == (
            f"% {cut}: the file appears to have been cut short in the middle of frame 1\n"
        )


def test_cut_inside_a_later_frame_prints_the_messages_before_it(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    capture: tuple[bytes, list[tuple[int, int]]],
) -> None:
    data, frames = capture
    _, whole, _ = run_cli(capsys, "decode", str(SOURCE))
    cut_frame = len(frames) // 2 + 1
    start, end = frames[cut_frame - 1]
    code, out, err, cut = decode_cut(capsys, tmp_path, data[: (start + end) // 2])
    assert code == 2
    before = {n: b for n, b in frame_blocks(whole).items() if n < cut_frame}
    assert len(before) >= 3
    assert frame_blocks(out) == before
    assert err == (
        f"% {cut}: the file appears to have been cut short in the middle of frame {cut_frame}\n"
    )


def test_cut_between_frames_is_a_shorter_capture(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    capture: tuple[bytes, list[tuple[int, int]]],
) -> None:
    data, frames = capture
    code, out, err, cut = decode_cut(capsys, tmp_path, data[: frames[2][1]])
    assert (code, err) == (0, "")
    assert sorted(frame_blocks(out)) == [1, 2, 3]
    assert out.rstrip().endswith(f"3 IKEv2 message(s) in {cut}")


def test_gzip_compressed_capture(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = SOURCE.read_bytes()
    _, whole, _ = run_cli(capsys, "decode", str(SOURCE))
    compressed = gzip.compress(data)
    code, out, err, cut = decode_cut(capsys, tmp_path, compressed)
    assert (code, err) == (0, "")
    assert frame_blocks(out) == frame_blocks(whole)
    code, out, err, cut = decode_cut(capsys, tmp_path, compressed[: len(compressed) // 2])
    assert code == 2
    assert 0 < len(frame_blocks(out)) < len(frame_blocks(whole))
    assert err.startswith(f"% {cut}: the file appears to have been cut short in the middle of")
    assert err.count("\n") == 1


def test_gzip_capture_failing_its_checksum(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The CRC at the end of a gzip stream: the frames are all there, the file is damaged."""
    _, whole, _ = run_cli(capsys, "decode", str(SOURCE))
    compressed = bytearray(gzip.compress(SOURCE.read_bytes()))
    compressed[-8] ^= 1  # the CRC-32 of the uncompressed data
    code, out, err, cut = decode_cut(capsys, tmp_path, bytes(compressed))
    assert code == 2
    assert frame_blocks(out) == frame_blocks(whole)
    assert err.startswith(f"% {cut}: the compressed data is damaged (CRC check failed")
    assert err.count("\n") == 1


def test_pcapng_frame_on_an_interface_never_described(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Not skipped (the frames after it would be numbered wrong): the file is damaged there."""
    data = bytearray(_CONTAINERS["pcapng"])
    start, _ = pcapng_frames(bytes(data))[3]
    struct.pack_into("<I", data, start + 8, 3)  # frame 4's interface id; only 0 is described
    code, out, err, cut = decode_cut(capsys, tmp_path, bytes(data))
    assert code == 2
    assert sorted(frame_blocks(out)) == [1, 2, 3]
    assert err == f"% {cut}: the file appears to be damaged in frame 4\n"


def test_frame_claiming_more_than_a_capture_holds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = bytearray(SOURCE.read_bytes())
    start, _ = pcap_frames(bytes(data))[3]
    struct.pack_into("<I", data, start + 8, 0xFFFFFFFF)  # frame 4's captured length
    code, out, err, cut = decode_cut(capsys, tmp_path, bytes(data))
    assert code == 2
    assert sorted(frame_blocks(out)) == [1, 2, 3]
    assert err == (
        f"% {cut}: the file appears to be damaged in frame 4 "
        "(it claims 4294967295 captured bytes, at most 262144)\n"
    )


def test_frame_captured_in_part_is_a_problem_of_that_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A snapshot length shorter than the frame (tcpdump -s) is not damage: that message
    says so and decoding goes on."""
    data = SOURCE.read_bytes()
    start, end = pcap_frames(data)[1]
    kept = 100
    record = bytearray(data[start : start + 16 + kept])
    struct.pack_into("<I", record, 8, kept)  # captured length; the wire length stays
    snapped = data[:start] + bytes(record) + data[end:]
    code, out, err, cut = decode_cut(capsys, tmp_path, snapped)
    assert (code, err) == (1, "")
    assert "IKEv2-ERROR:the capture holds only part of this datagram" in frame_blocks(out)[2]
    assert out.rstrip().endswith(
        f"10 IKEv2 message(s) in {cut}, 1 with problems (see IKEv2-ERROR lines)"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file, not a pcap or pcapng capture"),
        (
            b"interface Tunnel0\n ip address 10.0.0.1 255.255.255.0\n",
            "not a pcap or pcapng capture",
        ),
        (bytes(range(256)) * 8, "not a pcap or pcapng capture"),
        (b"\x1f\x8b\x08\x00" + bytes(6) + b"\xff" * 40, "the compressed data is damaged"),
    ],
    ids=["empty", "text", "binary", "bad-gzip"],
)
def test_not_a_capture_is_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, message: str
) -> None:
    code, out, err, cut = decode_cut(capsys, tmp_path, content)
    assert (code, out) == (2, "")
    assert err.startswith(f"% {cut}: {message}")
    assert err.count("\n") == 1


def test_directory_and_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "decode", str(tmp_path))
    assert (code, out, err) == (2, "", f"% {tmp_path}: cannot read: Is a directory\n")
    code, out, err = run_cli(capsys, "decode", str(tmp_path / "absent.pcap"))
    assert (code, out, err) == (2, "", f"% {tmp_path / 'absent.pcap'}: no such file\n")


def test_pcapng_timestamp_resolution_and_simple_packets(tmp_path: Path) -> None:
    """Nanosecond timestamps (if_tsresol) and a Simple Packet Block, big-endian."""

    def block(block_type: int, body: bytes) -> bytes:
        body += b"\x00" * (-len(body) % 4)
        length = len(body) + 12
        return struct.pack(">II", block_type, length) + body + struct.pack(">I", length)

    ns = 1_700_000_000_123_456_789
    first, second = b"\x45" + bytes(27), b"\x45" + bytes(30)
    shb = block(0x0A0D0D0A, b"\x1a\x2b\x3c\x4d" + struct.pack(">HHq", 1, 0, -1))
    tsresol = struct.pack(">HHB3x", 9, 1, 9) + struct.pack(">HH", 0, 0)
    idb = block(1, struct.pack(">HHI", 101, 0, 0) + tsresol)
    epb = block(6, struct.pack(">IIIII", 0, ns >> 32, ns & 0xFFFFFFFF, 28, 60) + first)
    spb = block(3, struct.pack(">I", 31) + second)
    path = tmp_path / "ns.pcapng"
    path.write_bytes(shb + idb + epb + spb)
    one, two = read_frames(path)
    assert (one.number, one.linktype, one.data, one.wire_length) == (1, 101, first, 60)
    assert one.timestamp == pytest.approx(1_700_000_000.123456789, abs=1e-6)
    assert (two.number, two.data, two.wire_length, two.timestamp) == (2, second, 31, 0.0)


def test_nanosecond_pcap_reads_as_the_microsecond_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    editcap = require_tool("editcap")
    nsec = tmp_path / "handshake.nsec.pcap"
    subprocess.run([editcap, "-F", "nsecpcap", str(SOURCE), str(nsec)], check=True)
    _, whole, _ = run_cli(capsys, "decode", "--json", str(SOURCE))
    code, out, _ = run_cli(capsys, "decode", "--json", str(nsec))
    assert code == 0 and out == whole


def test_pcapng_reads_as_the_pcap_it_was_made_from(tmp_path: Path) -> None:
    """The fuzzing below starts from this hand-made pcapng: it must be the same capture."""
    path = tmp_path / "handshake.pcapng"
    path.write_bytes(_CONTAINERS["pcapng"])
    assert list(read_frames(path)) == list(read_frames(SOURCE))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    container=st.sampled_from(["pcap", "pcapng", "gzip"]),
    cut=st.integers(min_value=0, max_value=6000),
    flips=st.lists(st.tuples(st.integers(0, 5999), st.integers(1, 255)), max_size=4),
)
def test_any_damage_is_a_capture_error(
    tmp_path_factory: pytest.TempPathFactory,
    container: str,
    cut: int,
    flips: list[tuple[int, int]],
) -> None:
    """Whatever is cut or altered, reading stops with CaptureError, never anything else."""
    data = bytearray(_CONTAINERS[container])
    for at, mask in flips:
        if at < len(data):
            data[at] ^= mask
    path = tmp_path_factory.mktemp("fuzz") / "damaged"
    path.write_bytes(bytes(data[:cut]))
    try:
        for _ in read_capture(path, ike_only=False):
            pass
    except CaptureError:
        pass


def _pcapng_by_hand(pcap: bytes) -> bytes:
    """The pcap's frames in a little-endian pcapng (one interface, microsecond stamps)."""

    def block(block_type: int, body: bytes) -> bytes:
        body += b"\x00" * (-len(body) % 4)
        return (
            struct.pack("<II", block_type, len(body) + 12)
            + body
            + struct.pack("<I", len(body) + 12)
        )

    out = block(0x0A0D0D0A, b"\x4d\x3c\x2b\x1a" + struct.pack("<HHq", 1, 0, -1))
    out += block(1, struct.pack("<HHI", 1, 0, 0))
    for start, end in pcap_frames(pcap):
        seconds, fraction, captured, wire = struct.unpack_from("<IIII", pcap, start)
        ticks = seconds * 1_000_000 + fraction
        head = struct.pack("<IIIII", 0, ticks >> 32, ticks & 0xFFFFFFFF, captured, wire)
        out += block(6, head + pcap[start + 16 : end])
    return out


_CONTAINERS = {
    "pcap": SOURCE.read_bytes(),
    "pcapng": _pcapng_by_hand(SOURCE.read_bytes()),
    "gzip": gzip.compress(SOURCE.read_bytes()),
}


def test_a_time_stamp_outside_the_calendar_is_printed_as_a_number(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """pcapng's 64-bit time stamps reach past the year 9999: the frame is decoded all the same."""
    data = bytearray(_CONTAINERS["pcapng"])
    start, _ = pcapng_frames(bytes(data))[0]
    struct.pack_into("<II", data, start + 12, 0x7FFFFFFF, 0)  # frame 1's time stamp, high half
    code, out, err, _ = decode_cut(capsys, tmp_path, bytes(data))
    assert (code, err) == (0, "")
    heading = frame_blocks(out)[1].splitlines()[0]
    assert heading.startswith("Frame 1 at 9223372032559.")
    assert " s since 1970 (a time stamp outside the calendar): 10.0.0.1:500 -> " in heading
    code, out, _ = run_cli(capsys, "decode", "--json", str(tmp_path / "cut"))
    assert code == 0 and json.loads(out.splitlines()[0])["time"] > 9.2e12


def test_pcapng_frame_claiming_more_than_its_block_holds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = bytearray(_CONTAINERS["pcapng"])
    start, _ = pcapng_frames(bytes(data))[3]
    (captured,) = struct.unpack_from("<I", data, start + 20)
    struct.pack_into("<I", data, start + 20, captured + 40)  # frame 4's captured length
    code, out, err, cut = decode_cut(capsys, tmp_path, bytes(data))
    assert code == 2
    assert sorted(frame_blocks(out)) == [1, 2, 3]
    assert err == (
        f"% {cut}: the file appears to be damaged in frame 4 "
        f"(it claims {captured + 40} captured bytes, its block holds {captured + 2})\n"
    )


@pytest.mark.parametrize("container", ["pcap", "pcapng", "gzip"])
def test_a_cut_in_any_octet_of_the_last_record_header_is_named(
    tmp_path: Path, container: str
) -> None:
    plain = _CONTAINERS["pcapng" if container == "pcapng" else "pcap"]
    start, _ = (pcapng_frames if container == "pcapng" else pcap_frames)(plain)[-1]
    path = tmp_path / "cut"
    for length in range(start + 4, start + 28):  # past the block type, into the data
        body = plain[:length]
        path.write_bytes(gzip.compress(body) if container == "gzip" else body)
        with pytest.raises(CaptureError, match=r"cut short in the middle of frame 22$"):
            for _ in read_capture(path):
                pass


_KEYS = read_key_table(
    (VECTORS / "strongswan-aes128" / "ikev2_decryption_table").read_text()
    + (VECTORS / "strongswan-aes128" / "esp_sa").read_text()
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    container=st.sampled_from(["pcap", "pcapng", "gzip"]),
    cut=st.integers(min_value=0, max_value=6000),
    flips=st.lists(st.tuples(st.integers(0, 5999), st.integers(1, 255)), max_size=6),
)
def test_any_damage_decodes_or_is_a_capture_error(
    tmp_path_factory: pytest.TempPathFactory,
    container: str,
    cut: int,
    flips: list[tuple[int, int]],
) -> None:
    """The whole of `pyike decode` (IP reassembly, IKE and ESP decryption, text and JSON) on
    damaged captures: every record is printed, or reading stops with CaptureError."""
    data = bytearray(_CONTAINERS[container])
    for at, mask in flips:
        if at < len(data):
            data[at] ^= mask
    path = tmp_path_factory.mktemp("fuzz") / "damaged"
    path.write_bytes(bytes(data[:cut]))
    try:
        for record in decode_capture(path, _KEYS.ike, _KEYS.esp):
            text_lines(record)
            json.dumps(json_object(record))
    except CaptureError:
        pass
