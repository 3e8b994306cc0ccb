"""`pyike run` (the gateway), `pyike exec` and `pyike cli` (its control socket)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from pyike.net.control import DEFAULT_CONTROL_PATH, ControlClient, ControlError


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = subparsers.add_parser(
        "run",
        help="run a real IKEv2/IPsec gateway from an IOS configuration (Linux, root)",
        description=(
            "Turn this Linux host into the router of an IOS configuration: IKEv2 on UDP "
            "500/4500, a TUN device per protected tunnel interface, ESP in userspace, the "
            "config's routes into tunnels in the kernel, and IOS exec commands on a control "
            "socket (pyike exec, pyike cli). SIGHUP reloads the configuration; SIGTERM "
            "deletes the SAs and removes every device and route pyike created."
        ),
    )
    run.add_argument("config", type=Path, help="IOS configuration file")
    run.add_argument(
        "--bind",
        action="append",
        default=[],
        metavar="IFACE=DEV",
        help="play config interface IFACE with host device DEV (default: match by address)",
    )
    run.add_argument(
        "--ike-port",
        type=int,
        metavar="PORT",
        help="IKE on PORT instead of 500 (NAT-T on PORT+4000), for unprivileged tests",
    )
    run.add_argument(
        "--force-encap",
        action="store_true",
        help="send ESP in UDP (RFC 3948) even when no NAT is detected",
    )
    run.add_argument(
        "--passive",
        action="store_true",
        help="do not negotiate at start: answer peers, and initiate only when traffic needs it",
    )
    _control_argument(run)
    run.add_argument("--debug", action="store_true", help="start with debug crypto ikev2 all on")
    run.add_argument("--debug-file", type=Path, metavar="FILE", help="also append output to FILE")
    run.add_argument(
        "--syslog",
        nargs="?",
        type=Path,
        const=Path("/dev/log"),
        metavar="SOCKET",
        help="also send output to syslog (facility daemon) on SOCKET, /dev/log by default",
    )
    run.add_argument("--quiet", action="store_true", help="nothing on the terminal")
    run.add_argument(
        "--no-tun-offload",
        action="store_true",
        help="write decrypted packets to the TUN devices one by one, instead of merging the "
        "TCP segments of a flow into super-packets (IFF_VNET_HDR)",
    )
    run.add_argument(
        "--tun-segmentation",
        action="store_true",
        help="also take TCP super-packets from the kernel and cut them into segments in "
        "pyike (TSO; costs more CPU than it saves where Python computes the checksums)",
    )
    run.add_argument(
        "--no-udp-offload",
        action="store_true",
        help="send and receive ESP in UDP one datagram per system call, instead of in runs "
        "(UDP GSO and GRO)",
    )
    run.add_argument(
        "--keylog",
        type=Path,
        metavar="FILE",
        help="append IKE and ESP keys in Wireshark's formats to FILE (mode 0600); secret!",
    )
    run.add_argument(
        "--frr",
        nargs="?",
        const="",
        metavar="PATHSPACE",
        help="answer show ip route, show ip bgp|ospf|eigrp ... from FRRouting's vtysh (the "
        "FRR started with -N PATHSPACE, the host's by default)",
    )
    run.set_defaults(handler=_run)

    exe = subparsers.add_parser(
        "exec",
        help="run IOS exec commands on a running pyike gateway",
        description="Run IOS exec commands (show/clear/debug) on the gateway `pyike run` started.",
    )
    exe.add_argument("commands", nargs="+", metavar="COMMAND", help='e.g. "show crypto ikev2 sa"')
    _control_argument(exe)
    exe.set_defaults(handler=_exec)

    cli = subparsers.add_parser(
        "cli",
        help="an interactive IOS prompt on a running pyike gateway",
        description="Attach an IOS-like exec prompt to the gateway; debug output is shown live.",
    )
    _control_argument(cli)
    cli.set_defaults(handler=_cli)


def _control_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--control",
        type=Path,
        default=Path(DEFAULT_CONTROL_PATH),
        metavar="PATH",
        help=f"the gateway's control socket (default {DEFAULT_CONTROL_PATH})",
    )


def _run(args: argparse.Namespace) -> int:
    # imported here for start-up speed: `pyike exec` and `pyike cli` need none of the gateway
    from pyike.frr.vtysh import Frr
    from pyike.net.binding import BindingError, parse_binds
    from pyike.net.ports import port_map
    from pyike.net.runtime import RunOptions, run

    try:
        binds = parse_binds(args.bind)
        ports = port_map(args.ike_port)
    except (BindingError, ValueError) as exc:
        print(f"% pyike run: {exc}", file=sys.stderr)
        return 2
    options = RunOptions(
        config_path=args.config,
        binds=binds,
        ports=ports,
        force_encap=args.force_encap,
        passive=args.passive,
        control_path=args.control,
        debug=args.debug,
        debug_file=args.debug_file,
        syslog=args.syslog,
        keylog=args.keylog,
        quiet=args.quiet,
        tun_offload=not args.no_tun_offload,
        tun_segmentation=args.tun_segmentation and not args.no_tun_offload,
        udp_offload=not args.no_udp_offload,
        frr=None if args.frr is None else Frr(args.frr or None),
    )
    return run(options)


def _exec(args: argparse.Namespace) -> int:
    def run_commands(client: ControlClient) -> int:
        for command in args.commands:
            sys.stdout.write(client.run(command))
        return 0

    return _on_control_socket(args.control, run_commands)


def _cli(args: argparse.Namespace) -> int:
    # imported here for start-up speed: prompt_toolkit is for `pyike cli` alone
    from pyike.net.interactive import interact

    return _on_control_socket(args.control, interact)


def _on_control_socket(path: Path, session: Callable[[ControlClient], int]) -> int:
    """Run `session` on the gateway's control socket; a socket that cannot be reached or a
    connection that breaks is one line on stderr and exit status 1."""
    try:
        client = ControlClient(path)
    except ControlError as exc:
        print(f"% {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        return session(client)
    except ControlError as exc:
        print(f"% {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
