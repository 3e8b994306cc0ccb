"""`pyike run` (the gateway), `pyike exec` and `pyike cli` (its control socket)."""

from __future__ import annotations

import argparse
import json
import os
import pwd
import sys
from collections.abc import Callable
from pathlib import Path

from pyike.net.control import DEFAULT_CONTROL_PATH, ControlClient, ControlError

DEFAULT_USER = "pyike"  # the system user scripts/install-gateway creates


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
    run.add_argument(
        "--user",
        metavar="NAME",
        help=f"once set up, run as user NAME with only CAP_NET_ADMIN and CAP_NET_RAW (and "
        f"CAP_NET_BIND_SERVICE for IKE below port 1024); default {DEFAULT_USER} when started "
        "as root; `root` is --no-drop",
    )
    run.add_argument(
        "--no-drop",
        action="store_true",
        help="stay root for the daemon's lifetime (debugging); no check of the config's mode",
    )
    run.add_argument(
        "--ssh",
        metavar="[ADDR:]PORT",
        help="serve the IOS command line over SSH (exec commands, configure terminal, write "
        "memory) to the config's users (username ... secret, ip ssh pubkey-chain)",
    )
    run.add_argument(
        "--ssh-host-key",
        type=Path,
        metavar="FILE",
        help="with --ssh: the SSH host key (made there, mode 0600, if missing; default: "
        "NAME.ssh_host_ed25519_key beside the configuration NAME.cfg)",
    )
    run.add_argument(
        "--metrics",
        metavar="[ADDR:]PORT",
        help="serve Prometheus metrics on http://ADDR:PORT/metrics (all addresses by default)",
    )
    run.set_defaults(handler=_run)

    exe = subparsers.add_parser(
        "exec",
        help="run IOS exec commands on a running pyike gateway",
        description="Run IOS exec commands (show/clear/debug) on the gateway `pyike run` started.",
    )
    exe.add_argument("commands", nargs="*", metavar="COMMAND", help='e.g. "show crypto ikev2 sa"')
    exe.add_argument(
        "--query",
        metavar="NAME",
        help="print the gateway's structured answer NAME as JSON instead (sas: the IKE and "
        "IPsec SAs with what show crypto ikev2 sa detailed and show crypto ipsec sa print; "
        "memory: the SA objects alive after a full collection, and the RSS)",
    )
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
    from pyike.ssh.listen import parse_listen

    try:
        binds = parse_binds(args.bind)
        ports = port_map(args.ike_port)
        ssh = None if args.ssh is None else parse_listen(args.ssh)
        if args.ssh_host_key is not None and ssh is None:
            raise ValueError("--ssh-host-key applies only with --ssh")
        metrics = None if args.metrics is None else parse_listen(args.metrics, option="--metrics")
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
        ssh=ssh,
        ssh_host_key=args.ssh_host_key,
        user=_run_as(args.user, args.no_drop),
        metrics=metrics,
    )
    return run(options)


def _run_as(user: str | None, no_drop: bool) -> str | None:
    """The user the daemon becomes (None: it stays as it started). Started by root, `pyike`
    unless told otherwise; started by another user (systemd's User= with ambient
    capabilities), that user, its capabilities trimmed."""
    if no_drop or user == "root":
        return None
    if user is not None:
        return user
    if os.geteuid() == 0:
        return DEFAULT_USER
    return pwd.getpwuid(os.geteuid()).pw_name


def _exec(args: argparse.Namespace) -> int:
    if bool(args.commands) == bool(args.query):
        print("% pyike exec: give COMMANDs or --query NAME", file=sys.stderr)
        return 2

    def run_commands(client: ControlClient) -> int:
        if args.query:
            print(json.dumps(client.query(args.query), indent=2))
            return 0
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
