"""A lab topology from its files, below both ways of running one: the simulated lab
(`pyike.lab`) and real daemons in network namespaces (`pyike.netns`)."""

from pyike.topology.load import expand, load_topology, parse_duration, parse_exec
from pyike.topology.model import DEFAULT_RUN, Check, DelayHint, NatHint, Topology, TopologyError

__all__ = [
    "DEFAULT_RUN",
    "Check",
    "DelayHint",
    "NatHint",
    "Topology",
    "TopologyError",
    "expand",
    "load_topology",
    "parse_duration",
    "parse_exec",
]
