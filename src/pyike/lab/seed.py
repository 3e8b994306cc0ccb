"""The seed document's lab, replayed: `pyike lab` with no arguments.

Router 1 and Router 2 with the seed's configurations, `debug crypto ikev2 packet` and
`internal` on both, Tunnel0 coming up (Router 1 initiates), the show commands of the seed,
a ping from Router 1's Loopback0 through the tunnel, and the IKE SA rekey its 120-second
lifetime forces. Then, debugging off, a long ping runs across a later IKE SA rekey and the
child SA's own rekey (at 90% of its 3600 s), and the final show commands count the traffic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pyike.lab.lab import PLAIN_RUN, Commands, Lab, PolicyFactory, RunOptions
from pyike.topology.seed import seed_configs

FIRST_PING = "ping 192.168.2.1 source Loopback0"
# Long enough (1 ms round trips in the lab) to span an IKE SA rekey and the child rekey.
LONG_PING_AT = 3232.0
LONG_PING = "ping 192.168.2.1 source Loopback0 repeat 15000"
SEED_END = LONG_PING_AT  # an `--until` before it leaves out the long ping and what follows


@dataclass
class SeedRunResult:
    """What the run showed; `problems` is empty when everything the seed shows happened."""

    lab: Lab
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def run_seed(
    policy_factory: PolicyFactory,
    output: Callable[[str], None] | None = None,
    *,
    seed: int = 0,
    options: RunOptions = PLAIN_RUN,
) -> SeedRunResult:
    lab = Lab(seed_configs(), policy_factory, seed=seed, output=output)
    lab.records = options.records
    if options.watch is not None:
        options.watch(lab)
    commands = Commands(lab, options.execs)
    result = SeedRunResult(lab)
    _script(lab, result, options)
    commands.finish(options.until)
    return result


def _script(lab: Lab, result: SeedRunResult, options: RunOptions) -> None:
    r1, r2 = "Router1", "Router2"
    stop = options.until if options.until is not None else float("inf")
    debug = options.debug is not False  # the seed document debugs unless told not to
    for host in (r1, r2):
        if debug:
            lab.exec(host, "debug crypto ikev2 packet")
            lab.exec(host, "debug crypto ikev2 internal")
    lab.bring_up_tunnels()
    lab.run_for(min(2.0, stop))
    if stop < 2.0:  # cut before the first ping: the tunnel, at least, must be up by then
        for host in (r1, r2):
            _expect_up(lab, result, host, f" at {stop:g}s")
        return
    for host in (r1, r2):
        lab.exec(host, "show crypto ikev2 sa detailed")
    first = lab.exec(r1, FIRST_PING)
    _expect(result, "Success rate is 100 percent (5/5)" in first, "the first ping failed")
    rekeys_before = _ike_rekeys(lab)
    if stop < 63.0:
        return
    lab.run_until(63.0)
    _expect(result, _ike_rekeys(lab) > rekeys_before, "no IKE SA rekey by 63 s")
    for host in (r1, r2):
        if debug:
            lab.exec(host, "undebug all")
    if stop < LONG_PING_AT:
        return
    lab.run_until(LONG_PING_AT)
    children_before = _child_installs(lab)
    ike_before = _ike_rekeys(lab)
    long_ping = lab.exec(r1, LONG_PING)
    _expect(result, "Success rate is 100 percent (15000/15000)" in long_ping, "pings were lost")
    _expect(result, _child_installs(lab) > children_before, "no child SA rekey during the ping")
    _expect(result, _ike_rekeys(lab) > ike_before, "no IKE SA rekey during the ping")
    for host in (r1, r2):
        lab.exec(host, "show crypto ikev2 sa")
        _expect_up(lab, result, host)
    lab.exec(r1, "show ip interface brief")


def _expect(result: SeedRunResult, condition: bool, problem: str) -> None:
    if not condition:
        result.problems.append(problem)


def _expect_up(lab: Lab, result: SeedRunResult, host: str, when: str = "") -> None:
    crypto = lab.router(host).crypto
    _expect(result, crypto.ike_up != {}, f"{host} has no IKE SA up{when}")
    tunnels = crypto.sad.tunnels.values()
    child = all(t.current is not None for t in tunnels)
    _expect(result, child, f"{host} has no child SA on its tunnel{when}")


def _ike_rekeys(lab: Lab) -> int:
    return sum(1 for r in lab.routers.values() for down in r.crypto.ike_down if down.rekeyed_to)


def _child_installs(lab: Lab) -> int:
    return sum(r.crypto.sad.installs for r in lab.routers.values())
