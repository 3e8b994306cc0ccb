"""`pyike run --metrics [ADDR:]PORT`: Prometheus metrics from what the show commands read.

Nothing on the packet path counts for the metrics: at each scrape a collector reads the
gateway's state (the views `show crypto ikev2 sa`, `show crypto ipsec sa` and `show crypto
ikev2 stats` print, the host's drop counters, the engine's) and turns it into metric
families. prometheus_client serves HTTP on a thread of its own; the reading itself is handed
to the event loop's thread (which alone changes that state) and waited for, so a scrape
never sees an SA half installed and the packet path takes no lock.

The series (README lists them with a scrape configuration):

    pyike_ike_sas{state}                       IKE SAs by `show crypto ikev2 sa` status
    pyike_half_open_ike_sas                    incoming IKE SAs still negotiating
    pyike_child_sas{state}                     ESP SA pairs by `show crypto ipsec sa` status
    pyike_tunnel_packets_total{interface, peer, local, remote, direction}   #pkts encaps/decaps
    pyike_tunnel_bytes_total{interface, peer, local, remote, direction}     octets (ESP payload)
    pyike_esp_flow_drops_total{interface, peer, local, remote, reason}      the #pkts error lines
    pyike_esp_received_drops_total{reason}     ESP dropped on receipt, any source
    pyike_rekeys_total{kind, initiator}        CREATE_CHILD_SA rekey requests, as `stats exchange`
    pyike_negotiation_failures_total{cause}    by `pyike explain`'s cause ids
    pyike_dpd_deaths_total                     IKE SAs whose peer DPD declared dead
    pyike_ike_retransmissions_total            IKE requests sent again
    pyike_ike_dropped_total                    IKE datagrams dropped unprocessed (dispatch)
    pyike_cookies_sent_total                   COOKIE challenges sent
    pyike_cookies_rejected_total               returned cookies that did not verify
    pyike_ike_sa_limit_refusals_total          IKE_SA_INIT refused for the in-negotiation limit
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from pyike.explain.engine_causes import failure_cause
from pyike.host.views import ike_sa_counts, ike_sa_views, ipsec_interface_views
from pyike.net.gateway import Gateway
from pyike.show.views import EspSaStatus, FlowCounters, IkeSaState
from pyike.ssh.listen import Listen

SCRAPE_TIMEOUT = 10.0  # seconds a scrape waits for the event loop

# reason label -> the FlowCounters field (the `show crypto ipsec sa detail` line)
FLOW_DROPS = {
    "replay": "replay_failed_recv",
    "integrity": "verify_failed",
    "no_sa": "invalid_sa_recv",
    "malformed": "invalid_len_recv",
    "invalid_identity": "invalid_identity_recv",
    "expired": "decaps_failed_recv",
    "no_sa_send": "no_sa_send",
    "send_failed": "encaps_failed_send",
}
_REKEY_EXCHANGES = {"ike": "CREATE_CHILD_SA_IKE_REKEY", "child": "CREATE_CHILD_SA_IPSEC_REKEY"}
_FLOW_LABELS = ["interface", "peer", "local", "remote"]


def gateway_metrics(gateway: Gateway) -> list[Metric]:
    """Every family, read from the gateway now (on the event loop's thread)."""
    families: list[Metric] = [*_ike_families(gateway), *_ipsec_families(gateway)]
    families += _counter_families(gateway)
    return families


def _ike_families(gateway: Gateway) -> Iterator[Metric]:
    states = Counter(view.state for view in ike_sa_views(gateway))
    ike = GaugeMetricFamily("pyike_ike_sas", "IKE SAs by status", labels=["state"])
    for state in IkeSaState:
        ike.add_metric([state.value], states[state])
    yield ike
    _active_in, _active_out, negotiating_in, _negotiating_out = ike_sa_counts(gateway)
    yield GaugeMetricFamily(
        "pyike_half_open_ike_sas", "Incoming IKE SAs still negotiating", value=negotiating_in
    )


def _ipsec_families(gateway: Gateway) -> Iterator[Metric]:
    child = GaugeMetricFamily("pyike_child_sas", "ESP SA pairs by status", labels=["state"])
    packets = CounterMetricFamily(
        "pyike_tunnel_packets",
        "Packets encapsulated (out) and decapsulated (in), as #pkts encaps/decaps",
        labels=[*_FLOW_LABELS, "direction"],
    )
    octets = CounterMetricFamily(
        "pyike_tunnel_bytes",
        "Octets encapsulated (out) and decapsulated (in), as the volume lifetime counts them",
        labels=[*_FLOW_LABELS, "direction"],
    )
    drops = CounterMetricFamily(
        "pyike_esp_flow_drops",
        "Packets a flow dropped, as the #pkts error lines of show crypto ipsec sa detail",
        labels=[*_FLOW_LABELS, "reason"],
    )
    statuses: Counter[EspSaStatus] = Counter()
    for view in ipsec_interface_views(gateway):
        for flow in view.flows:
            statuses.update(sa.status for sa in flow.inbound)
            labels = [view.interface, str(flow.peer)]
            labels += [str(flow.local_ident.network), str(flow.remote_ident.network)]
            counters: FlowCounters = flow.counters
            packets.add_metric([*labels, "out"], counters.encaps)
            packets.add_metric([*labels, "in"], counters.decaps)
            octets.add_metric([*labels, "out"], counters.encaps_octets)
            octets.add_metric([*labels, "in"], counters.decaps_octets)
            for reason, field_name in FLOW_DROPS.items():
                drops.add_metric([*labels, reason], getattr(counters, field_name))
    for status in EspSaStatus:
        child.add_metric([status.name], statuses[status])
    yield from (child, packets, octets, drops)


def _counter_families(gateway: Gateway) -> Iterator[Metric]:
    stats, counters = gateway.stats, gateway.counters
    received = CounterMetricFamily(
        "pyike_esp_received_drops",
        "ESP dropped on receipt from any source: no SA for its SPI, shorter than its header, "
        "failed to decapsulate (integrity, replay, padding)",
        labels=["reason"],
    )
    received.add_metric(["no_sa"], stats.invalid_spi)
    received.add_metric(["malformed"], stats.malformed)
    received.add_metric(["decapsulation"], stats.decrypt_failures)
    yield received
    rekeys = CounterMetricFamily(
        "pyike_rekeys",
        "Rekey requests, by SA kind and by who sent them",
        labels=["kind", "initiator"],
    )
    exchanges = counters.exchange_view().exchanges
    for kind, name in _REKEY_EXCHANGES.items():
        seen = exchanges.get(name)
        rekeys.add_metric([kind, "local"], seen.tx_request if seen else 0)
        rekeys.add_metric([kind, "peer"], seen.rx_request if seen else 0)
    yield rekeys
    failures = CounterMetricFamily(
        "pyike_negotiation_failures",
        "Failed negotiations by cause (pyike explain's cause ids)",
        labels=["cause"],
    )
    causes = Counter(failure_cause(f.notify, f.reason) for f in stats.negotiations_failed)
    for cause, count in sorted(causes.items()):
        failures.add_metric([cause], count)
    yield failures
    for name, documentation, value in (
        ("pyike_dpd_deaths", "IKE SAs whose peer DPD declared dead", gateway.dpd_deaths),
        ("pyike_ike_retransmissions", "IKE requests sent again", gateway.engine.retransmissions),
        (
            "pyike_ike_dropped",
            "IKE datagrams dropped unprocessed (show crypto ikev2 stats: dropped at dispatch)",
            counters.dropped,
        ),
        ("pyike_cookies_sent", "COOKIE challenges sent", counters.cookie_challenged),
        (
            "pyike_cookies_rejected",
            "Returned cookies that did not verify",
            counters.cookie_rejected,
        ),
        (
            "pyike_ike_sa_limit_refusals",
            "IKE_SA_INIT requests refused for the in-negotiation limit",
            counters.refused_sa_limit,
        ),
    ):
        yield CounterMetricFamily(name, documentation, value=value)


class _LoopCollector(Collector):
    """Reads the families on the event loop's thread, for prometheus_client's."""

    def __init__(self, loop: asyncio.AbstractEventLoop, read: Callable[[], list[Metric]]) -> None:
        self.loop = loop
        self.read = read

    def collect(self) -> Iterable[Metric]:
        future: concurrent.futures.Future[list[Metric]] = concurrent.futures.Future()

        def take() -> None:
            try:
                future.set_result(self.read())
            except Exception as exc:  # reported to the scraper as an error
                future.set_exception(exc)

        self.loop.call_soon_threadsafe(take)
        return future.result(SCRAPE_TIMEOUT)


class MetricsServer:
    """prometheus_client's HTTP server for one gateway; started after the privilege drop
    (its threads then have no privilege to lose)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, gateway: Callable[[], Gateway | None]):
        def read() -> list[Metric]:
            current = gateway()
            return [] if current is None else gateway_metrics(current)

        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_LoopCollector(loop, read))
        self._server: WSGIServer | None = None

    def start(self, listen: Listen) -> int:
        """Listens (OSError when the address or port is refused); the port bound."""
        address = listen.host or "0.0.0.0"  # IPv6 ones with [::]:PORT
        self._server, _thread = start_http_server(listen.port, address, self.registry)
        return int(self._server.server_port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
