"""`pyike decode FILE [--keys TABLE] [--esp-keys TABLE] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path

from pyike.wireshark_keys import KeyTable, read_key_table

EXAMPLE_CAPTURE = "strongswan-aes128.pcap"
EXAMPLE_KEYS = "strongswan-aes128.keys"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "decode",
        help="print the IKEv2 messages of a pcap/pcapng capture as IOS debug prints them",
        description=(
            "Read IKEv2 messages (UDP 500, and UDP 4500 behind the non-ESP marker) from a pcap "
            "or pcapng capture and print them as `debug crypto ikev2 packet` does."
        ),
    )
    parser.add_argument("file", nargs="?", help="capture file (pcap or pcapng)")
    parser.add_argument(
        "--keys",
        metavar="TABLE",
        help="Wireshark ikev2_decryption_table file, or a `pyike run --keylog` file: "
        "decrypt the encrypted payloads",
    )
    parser.add_argument(
        "--esp-keys",
        metavar="TABLE",
        help="Wireshark esp_sa file, or a `pyike run --keylog` file: show the ESP packets too, "
        "decrypted",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per message")
    parser.add_argument(
        "--example",
        action="store_true",
        help="decode the strongSwan capture shipped with pyike, with its keys",
    )
    parser.set_defaults(handler=run)


def _load_keys(path: str | None) -> KeyTable | None:
    """The table at `path`; each line it cannot use named on stderr (file:line)."""
    if path is None:
        return None
    table = read_key_table(Path(path).read_text(encoding="utf-8", errors="replace"))
    for skipped in table.skipped:
        line, _, why = skipped.partition(": ")
        print(f"% {path}:{line.removeprefix('line ')}: {why}; line skipped", file=sys.stderr)
    return table


def run(args: argparse.Namespace) -> int:
    data = resources.files("pyike") / "data" / "captures"
    if args.example:
        if args.file:
            print("% Give either a capture file or --example, not both.", file=sys.stderr)
            return 2
        if args.keys or args.esp_keys:
            print(
                "% --example decodes with the keys shipped with it: give --keys or --esp-keys "
                "with a capture file.",
                file=sys.stderr,
            )
            return 2
        with (
            resources.as_file(data / EXAMPLE_CAPTURE) as capture,
            resources.as_file(data / EXAMPLE_KEYS) as keys_file,
        ):
            return _decode(str(capture), str(keys_file), None, args.json)
    if not args.file:
        print("% Incomplete command: give a capture file (or --example).", file=sys.stderr)
        return 2
    return _decode(args.file, args.keys, args.esp_keys, args.json)


def _decode(capture: str, keys_path: str | None, esp_path: str | None, as_json: bool) -> int:
    # these import scapy, a fifth of a second that `pyike --help` need not wait for
    from pyike.capture import CaptureError
    from pyike.decode.certificates import CertificateNotes
    from pyike.decode.pipeline import decode_capture
    from pyike.decode.render import json_object, text_lines

    tables: dict[str | None, KeyTable | None] = {}
    for path in (keys_path, esp_path):
        try:
            tables[path] = tables[path] if path in tables else _load_keys(path)
        except OSError as exc:
            print(f"% Cannot read key table {path}: {exc.strerror}", file=sys.stderr)
            return 2
    ike, esp = tables[keys_path], tables[esp_path]
    skipped = sum(len(t.skipped) for t in tables.values() if t is not None)
    troubled = 0
    counts = {"ike": 0, "esp": 0, "nhrp": 0}
    notes = CertificateNotes()
    try:
        for record in decode_capture(
            capture, None if ike is None else ike.ike, None if esp is None else esp.esp
        ):
            counts[_kind(record)] += 1
            troubled += record.troubled
            if as_json:
                print(json.dumps(json_object(record)))
            else:
                print("\n".join(text_lines(record, notes)))
                print()
    except CaptureError as exc:
        sys.stdout.flush()  # the messages before the damage come first, as tshark prints them
        print(f"% {exc}", file=sys.stderr)
        return 2
    if not as_json:
        print(_summary(capture, counts, troubled, esp is not None))
    return 1 if troubled or skipped else 0


def _kind(record: object) -> str:
    from pyike.decode.esp import DecodedEsp
    from pyike.decode.gre import DecodedGre

    if isinstance(record, DecodedEsp):
        return "esp"
    return "nhrp" if isinstance(record, DecodedGre) else "ike"


def _summary(capture: str, counts: dict[str, int], troubled: int, with_esp: bool) -> str:
    text = f"{counts['ike']} IKEv2 message(s)"
    if with_esp:
        text += f" and {counts['esp']} ESP packet(s)"
    if counts["nhrp"]:
        text += f" and {counts['nhrp']} NHRP packet(s) in GRE"
    text += f" in {capture}"
    if troubled:
        errors = "IKEv2-ERROR and ESP-ERROR" if with_esp else "IKEv2-ERROR"
        text += f", {troubled} with problems (see {errors} lines)"
    return text
