"""`pyike lab --json`: a lab run as one JSON object per line (schema `pyike-lab/1`).

Every object has `type`, and `time` (virtual seconds since the lab started) and `host` where
they apply. Types:

- `ike_sa`: `event` `up` (`sa_id`, `local`, `remote` as `ADDRESS/PORT`, `initiator`,
  `local_id`, `remote_id`, `profile`, `lifetime`, `nat`, `rekeyed_from`: the SA it replaces
  or null) or `down` (`sa_id`, `reason`, `rekeyed_to`: the SA that replaced it or null).
- `child_sa`: `event` `created` or `rekeyed` (`ike_sa_id`, `tunnel`, `spi_in`, `spi_out` as
  `0x` hex, `encryption`, `key_bits`, `integrity`, `esn`, `mode`, `pfs_group`, `local_ts` and
  `remote_ts` as lists of `START-END proto P ports A-B`, `lifetime_seconds`,
  `lifetime_kilobytes`, `udp_encapsulation`; `rekey_of`: the inbound SPI it replaces), or
  `deleted` (`ike_sa_id`, `spi_in`, `spi_out`, `reason`).
- `negotiation_failed`: `sa_id`, `remote`, `notify` (IANA name or null), `reason`, `sent`.
- `tunnel`: `interface`, `event` `up` or `down` (its line protocol, which follows its SAs).
- `log`: `line`, a console line that is no command's output (debug and syslog messages).
- `exec`: `command` and its `output` (as printed, lines joined by newlines).
- `config`: a line a router refused as it loaded its configuration: `file`, `line`,
  `command` (as typed, keys masked), `column` (of IOS's `^` marker), `message`.
- `note`: `text`, what the lab could not act on (a routing protocol it does not run, a router
  named after its file).
- `check`: `host`, `command`, `expect`, `passed`, `where`.
- `verdict`, always last: `ok` (the exit status is 0 when true), `summary` (the line text mode
  prints for a healthy network, else null), `problems`, `notes`.
"""

from __future__ import annotations

from typing import Any

from pyike.config.diagnostics import Diagnostic
from pyike.ike.events import (
    ChildSaDeleted,
    ChildSaInstalled,
    Endpoint,
    IkeSaDown,
    IkeSaUp,
    NegotiationFailed,
)
from pyike.lab.crypto_node import TunnelState
from pyike.topology import Check

SCHEMA = "pyike-lab/1"
Record = dict[str, Any]


def _endpoint(endpoint: Endpoint) -> str:
    return f"{endpoint.address}/{endpoint.port}"


def _hex(spi: bytes) -> str:
    return "0x" + spi.hex().upper()


def _head(kind: str, event: str | None, now: float) -> Record:
    """The fields every event record starts with (`event` where the type has one)."""
    head: Record = {"type": kind} if event is None else {"type": kind, "event": event}
    return {**head, "time": now}


def event_record(event: object) -> Record | None:
    """The record of an engine event or line protocol change; None for the others."""
    if isinstance(event, IkeSaUp):
        return {
            **_head("ike_sa", "up", event.now),
            "sa_id": event.sa_id,
            "local": _endpoint(event.local),
            "remote": _endpoint(event.remote),
            "initiator": event.initiator,
            "local_id": event.local_id,
            "remote_id": event.remote_id,
            "profile": event.profile,
            "lifetime": event.lifetime,
            "nat": event.nat_detected,
            "rekeyed_from": event.rekeyed_from,
        }
    if isinstance(event, IkeSaDown):
        return {
            **_head("ike_sa", "down", event.now),
            "sa_id": event.sa_id,
            "reason": event.reason,
            "rekeyed_to": event.rekeyed_to,
        }
    if isinstance(event, ChildSaInstalled):
        return _child_installed(event)
    if isinstance(event, ChildSaDeleted):
        return {
            **_head("child_sa", "deleted", event.now),
            "ike_sa_id": event.ike_sa_id,
            "spi_in": _hex(event.spi_in),
            "spi_out": _hex(event.spi_out),
            "reason": event.reason,
        }
    if isinstance(event, NegotiationFailed):
        return {
            **_head("negotiation_failed", None, event.now),
            "sa_id": event.sa_id,
            "remote": _endpoint(event.remote),
            "notify": event.notify.name if event.notify is not None else None,
            "reason": event.reason,
            "sent": event.sent,
        }
    if isinstance(event, TunnelState):
        state = "up" if event.up else "down"
        return {**_head("tunnel", state, event.now), "interface": event.tunnel}
    return None


def _child_installed(event: ChildSaInstalled) -> Record:
    child = event.child
    return {
        **_head("child_sa", "created" if event.rekey_of is None else "rekeyed", event.now),
        "ike_sa_id": child.ike_sa_id,
        "tunnel": child.tunnel,
        "spi_in": _hex(child.spi_in),
        "spi_out": _hex(child.spi_out),
        "encryption": child.encr.name,
        "key_bits": child.encr_key_bits,
        "integrity": child.integ.name,
        "esn": child.esn,
        "mode": child.mode,
        "pfs_group": child.pfs_group,
        "local_ts": [str(ts) for ts in child.local_ts],
        "remote_ts": [str(ts) for ts in child.remote_ts],
        "lifetime_seconds": child.lifetime_seconds,
        "lifetime_kilobytes": child.lifetime_kilobytes,
        "udp_encapsulation": child.udp_encapsulation,
        "rekey_of": _hex(event.rekey_of) if event.rekey_of is not None else None,
    }


def check_fields(check: Check, passed: bool) -> Record:
    """A check and whether it passed: a `check` record's fields, and `--report`'s JSON."""
    return {
        "host": check.host,
        "command": check.command,
        "expect": check.expect,
        "passed": passed,
        "where": check.where,
    }


def config_record(refusal: Diagnostic) -> Record:
    return {
        "type": "config",
        "file": refusal.file,
        "line": refusal.line,
        "command": refusal.echo,
        "column": refusal.column,
        "message": refusal.message,
    }
