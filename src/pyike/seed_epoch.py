"""The lab's clock at time zero: the first time stamp of the seed document's debug output.
Beside everything (the lab, the topology loader and the config adapter read it) so that
`pyike run`, which never uses it, imports no lab or topology code to get a default."""

from __future__ import annotations

from datetime import datetime

SEED_EPOCH = datetime(2013, 11, 11, 19, 30, 34, 811000)

__all__ = ["SEED_EPOCH"]
