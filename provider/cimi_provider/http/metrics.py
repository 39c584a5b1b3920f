"""Prometheus metrics of the provider, served at ``/metrics`` (prometheus-client's text format).

* ``cimi_requests_total{kind,method,status}`` and ``cimi_request_duration_seconds{kind,method}``:
  every request the CIMI dispatcher answers, by the kind of its target (``http/routes.py``:
  cep, collection, subcollection, references, metadata, resource, action, unknown; ``cached``
  for an answer from the render cache);
* ``cimi_jobs{state}``, ``cimi_machines{state}``: the stored Jobs and Machines by state, read
  from the store at each scrape;
* ``cimi_meter_sample{meter,machine,aspect,units}``: the latest Sample of each Meter.

Labels come from the catalogue and the store, never from the request (a path or header value
would let a client grow the label set without bound). The registry is the app's own, not the
process-wide default.
"""
from __future__ import annotations

from collections import Counter as Tally

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from ..catalogue import TYPES

CONTENT_TYPE = CONTENT_TYPE_LATEST
METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class StoreCollector:
    """Gauges read from the store at scrape time."""

    def __init__(self, store):
        self.store = store

    def collect(self):
        jobs = GaugeMetricFamily("cimi_jobs", "Jobs by state", labels=["state"])
        by_state = Tally(row.doc.get("state") for row in self.store.rows("Job"))
        for state in TYPES["Job"].states:
            jobs.add_metric([state], by_state.get(state, 0))
        yield jobs
        machines = GaugeMetricFamily("cimi_machines", "Machines by state", labels=["state"])
        by_state = Tally(row.doc.get("state") for row in self.store.rows("Machine"))
        for state in TYPES["Machine"].states:
            machines.add_metric([state], by_state.get(state, 0))
        yield machines
        samples = GaugeMetricFamily("cimi_meter_sample", "The latest Sample of each Meter",
                                    labels=["meter", "machine", "aspect", "units"])
        for row in self.store.rows("Meter"):
            kept = self.store.rows("Sample", row.id)
            if not kept:
                continue
            doc = row.doc
            value = kept[-1].doc.get("value")
            if isinstance(value, (int, float)):
                aspect = str(doc.get("aspect", "")).rsplit("/", 1)[-1]
                samples.add_metric([row.id, row.parent or "", aspect, str(doc.get("units", ""))],
                                   value)
        yield samples


class Metrics:
    def __init__(self, store):
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Counter("cimi_requests", "CIMI requests answered",
                                ["kind", "method", "status"], registry=self.registry)
        self.latency = Histogram("cimi_request_duration_seconds",
                                 "Time to answer a CIMI request", ["kind", "method"],
                                 buckets=BUCKETS, registry=self.registry)
        self.registry.register(StoreCollector(store))

    def observe(self, kind: str, method: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self.requests.labels(kind, method, str(status)).inc()
        self.latency.labels(kind, method).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


__all__ = ["Metrics", "CONTENT_TYPE"]
