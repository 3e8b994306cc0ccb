"""The gateway's memory: the periodic full collection `pyike run` makes, and the `memory`
query of the control socket (`pyike exec --query memory`).

Every IKE SA ends as reference cycles (its state machine and tasks refer back to it) that hold
its keys, its Child SAs and their cipher contexts; only the cycle collector frees them. The
runtime raises the collector's threshold (a young collection every few hundred allocations
cost more than the cycles), and nearly everything else the daemon allocates is freed by
reference counting, so the young generation filled only after some 20,000 net allocations:
hundreds of rekeyed IKE SAs (the soak, rekeying every 30 s: +2 MiB an hour, about 6 KiB per
IKE SA). A full collection every `COLLECT_SECONDS` bounds that to one period of rekeys; with
the start-up heap frozen it scans only what the daemon made since (about a millisecond).
"""

from __future__ import annotations

import gc
from pathlib import Path

from pyike.ike.child_sa import ChildSa
from pyike.ike.ike_sa import IkeSa
from pyike.ipsec.sa import InboundEspSa, OutboundEspSa

COLLECT_SECONDS = 60.0
MEMORY_SCHEMA = "pyike-memory/1"


def rss_kib() -> int:
    """This process's resident memory (Linux's /proc), KiB; 0 where there is no /proc."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def memory_document() -> dict[str, object]:
    """What survives a full collection: the IKE SA, Child SA and ESP SA objects still alive
    (closed ones still referred to are a leak: an ESP SA holds keys and cipher contexts), the
    objects the collector tracks beside the frozen start-up heap, and the resident memory.
    Collects first, so the counts do not depend on when the collector last ran."""
    gc.collect()
    live = gc.get_objects()  # the frozen start-up heap is not in it
    ike = sum(1 for obj in live if isinstance(obj, IkeSa))
    child = sum(1 for obj in live if isinstance(obj, ChildSa))
    esp = sum(1 for obj in live if isinstance(obj, (InboundEspSa, OutboundEspSa)))
    return {
        "schema": MEMORY_SCHEMA,
        "rss_kib": rss_kib(),
        "ike_sa_objects": ike,
        "child_sa_objects": child,
        "esp_sa_objects": esp,  # two per installed Child SA: inbound and outbound
        "gc_tracked": len(live),
        "gc_frozen": gc.get_freeze_count(),
    }
