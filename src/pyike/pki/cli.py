"""`pyike pki`: a lab CA for router certificates.

    pyike pki ca init DIR [--key ...] [--subject "CN=..."] [--days N] [--cdp URL]
    pyike pki issue DIR CONFIG... [--key ...] [--days N] [--intermediate] [--p12]
    pyike pki revoke DIR CERT...
    pyike pki crl DIR [--days N]

`--now` (every sub-command) sets the time certificates, revocations and CRLs start from, so a
lab whose virtual clock is in the past can trust them and runs are repeatable.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from cryptography import x509

from pyike.config import load_file
from pyike.config.pki_hex import hex_serial
from pyike.pki.ca import DEFAULT_SUBJECT, KEY_TYPES, CaDir, CaError, init_ca, revoke, write_crls
from pyike.pki.issue import Request, issue

_SERIAL_DIGITS = frozenset("0123456789abcdefABCDEF")


def _when(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text} (YYYY-MM-DD[THH:MM:SS])") from None
    return moment.replace(tzinfo=moment.tzinfo or datetime.UTC)


def _now(args: argparse.Namespace) -> datetime.datetime:
    chosen: datetime.datetime | None = args.now
    return chosen or datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def _ca_init(args: argparse.Namespace) -> int:
    root = init_ca(args.dir, args.key, args.subject, args.days, _now(args), args.cdp)
    print(f"{args.dir}: CA '{root.cert.subject.rfc4514_string()}' ({args.key}), serial 01")
    return 0


def _issue(args: argparse.Namespace) -> int:
    request = Request(
        key=args.key,
        days=args.days,
        use_intermediate=args.intermediate,
        p12=args.p12,
        p12_password=args.p12_password,
        trustpoint=args.trustpoint,
        now=_now(args),
    )
    for config in args.configs:
        done = issue(args.dir, config, request)
        print(
            f"{config}: certificate {done.serial} '{done.subject}' in trustpoint {done.trustpoint}"
        )
        if done.key_replaced:
            print(f"{config}: the key file held another key type: replaced by a {args.key} key")
        for file in done.files:
            print(f"  wrote {file}")
    return 0


def _serials(items: list[str]) -> list[int]:
    """Serials from certificate files (PEM or DER), router configurations (their router
    certificates) or hex serial numbers."""
    serials = []
    for item in items:
        path = Path(item)
        if path.is_file():
            serials += _serials_in(path)
        elif item and set(item) <= _SERIAL_DIGITS:
            serials.append(int(item, 16))
        else:
            raise CaError(
                f"{item}: neither a certificate, a router configuration nor a serial number"
            )
    return serials


def _serials_in(path: Path) -> list[int]:
    data = path.read_bytes()
    for reader in (x509.load_pem_x509_certificate, x509.load_der_x509_certificate):
        try:
            return [reader(data).serial_number]
        except ValueError:
            continue
    result = load_file(path)
    own = [tp.router_certificate for tp in result.config.trustpoints.values()]
    found = [int(cert.serial, 16) for cert in own if cert is not None]
    if not found:
        raise CaError(f"{path}: no certificate in it")
    return found


def _revoke(args: argparse.Namespace) -> int:
    ca = CaDir(args.dir)
    done = revoke(ca, _serials(args.certs), _now(args))
    print(
        f"{args.dir}: revoked {', '.join(hex_serial(s) for s in done) if done else 'nothing new'}"
    )
    return _crl(args)


def _crl(args: argparse.Namespace) -> int:
    for file in write_crls(CaDir(args.dir), _now(args), args.crl_days):
        print(f"  wrote {file}")
    return 0


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.pki_handler(args))
    except CaError as error:
        print(f"pyike pki: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"pyike pki: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 1


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pki = sub.add_parser("pki", help="a lab CA: router certificates from their configurations")

    def usage(args: argparse.Namespace) -> int:
        pki.print_help()
        return 2

    pki.set_defaults(handler=usage)
    commands = pki.add_subparsers(dest="pki_command", metavar="COMMAND")
    keys = sorted(KEY_TYPES)

    ca = commands.add_parser("ca", help="the CA itself")
    ca_commands = ca.add_subparsers(dest="ca_command", metavar="COMMAND")
    init = ca_commands.add_parser("init", help="make a root CA in DIR")
    init.add_argument("dir")
    init.add_argument("--key", choices=keys, default="p256", help="CA key (default p256)")
    init.add_argument("--subject", default=DEFAULT_SUBJECT, help=f'default "{DEFAULT_SUBJECT}"')
    init.add_argument("--days", type=int, default=3650, help="validity (default 3650)")
    init.add_argument("--cdp", metavar="URL", help="CRL distribution point put in certificates")
    init.set_defaults(pki_handler=_ca_init)

    issue_parser = commands.add_parser(
        "issue", help="certificates for routers, from and into their configurations"
    )
    issue_parser.add_argument("dir")
    issue_parser.add_argument("configs", nargs="+", metavar="CONFIG")
    issue_parser.add_argument("--key", choices=keys, default="p256", help="router key (p256)")
    issue_parser.add_argument("--days", type=int, default=365, help="validity (default 365)")
    issue_parser.add_argument(
        "--intermediate", action="store_true", help="sign with an intermediate CA"
    )
    issue_parser.add_argument(
        "--p12", action="store_true", help="also write CONFIG.p12 (strongSwan)"
    )
    issue_parser.add_argument("--p12-password", help="protect the PKCS#12 (default: none)")
    issue_parser.add_argument(
        "--trustpoint", help="the trustpoint to fill (default: the only one, or LAB-CA)"
    )
    issue_parser.set_defaults(pki_handler=_issue)

    revoke_parser = commands.add_parser("revoke", help="revoke certificates and write the CRLs")
    revoke_parser.add_argument("dir")
    revoke_parser.add_argument(
        "certs", nargs="+", metavar="CERT", help="PEM/DER file, router config or hex serial"
    )
    revoke_parser.set_defaults(pki_handler=_revoke)

    crl = commands.add_parser("crl", help="write the CRLs (DER and PEM)")
    crl.add_argument("dir")
    crl.set_defaults(pki_handler=_crl)

    for parser in (init, issue_parser, revoke_parser, crl):
        parser.add_argument("--now", type=_when, help="the time to use instead of the clock")
        parser.set_defaults(handler=_run)
    for parser in (revoke_parser, crl):
        parser.add_argument("--crl-days", type=int, default=30, help="CRL validity (default 30)")
