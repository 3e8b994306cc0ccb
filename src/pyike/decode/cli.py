"""`pyike decode FILE [--keys TABLE] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path

from pyike.wireshark_keys import IkeSaKeys, KeyTableError, parse_key_table

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
    parser.add_argument("--json", action="store_true", help="one JSON object per message")
    parser.add_argument(
        "--example",
        action="store_true",
        help="decode the strongSwan capture shipped with pyike, with its keys",
    )
    parser.set_defaults(handler=run)


def _load_keys(path: str) -> list[IkeSaKeys]:
    return parse_key_table(Path(path).read_text(encoding="utf-8", errors="replace"))


def run(args: argparse.Namespace) -> int:
    data = resources.files("pyike") / "data" / "captures"
    if args.example:
        if args.file:
            print("% Give either a capture file or --example, not both.", file=sys.stderr)
            return 2
        with (
            resources.as_file(data / EXAMPLE_CAPTURE) as capture,
            resources.as_file(data / EXAMPLE_KEYS) as keys_file,
        ):
            return _decode(str(capture), str(keys_file), args.json)
    if not args.file:
        print("% Incomplete command: give a capture file (or --example).", file=sys.stderr)
        return 2
    return _decode(args.file, args.keys, args.json)


def _decode(capture: str, keys_path: str | None, as_json: bool) -> int:
    # these import scapy, a fifth of a second that `pyike --help` need not wait for
    from pyike.capture import CaptureError
    from pyike.decode.pipeline import decode_capture
    from pyike.decode.render import json_object, text_lines

    try:
        keys = _load_keys(keys_path) if keys_path else []
    except OSError as exc:
        print(f"% Cannot read key table {keys_path}: {exc.strerror}", file=sys.stderr)
        return 2
    except KeyTableError as exc:
        print(f"% Bad key table {keys_path}: {exc}", file=sys.stderr)
        return 2
    troubled = 0
    count = 0
    try:
        for record in decode_capture(capture, keys):
            count += 1
            if record.error is not None or record.problems:
                troubled += 1
            if as_json:
                print(json.dumps(json_object(record)))
            else:
                print("\n".join(text_lines(record)))
                print()
    except CaptureError as exc:
        sys.stdout.flush()  # the messages before the damage come first, as tshark prints them
        print(f"% {exc}", file=sys.stderr)
        return 2
    if not as_json:
        summary = f"{count} IKEv2 message(s) in {capture}"
        if troubled:
            summary += f", {troubled} with problems (see IKEv2-ERROR lines)"
        print(summary)
    return 1 if troubled else 0
