"""A running domain's counters for CIMI Meters, in one libvirt call (virConnectGetAllDomainStats
for one domain: CPU time, balloon, block and interface statistics)."""
from __future__ import annotations

import libvirt

from ..base import MachineStats

STATS = (libvirt.VIR_DOMAIN_STATS_CPU_TOTAL | libvirt.VIR_DOMAIN_STATS_BALLOON
         | libvirt.VIR_DOMAIN_STATS_BLOCK | libvirt.VIR_DOMAIN_STATS_INTERFACE)


def _sum(record: dict, group: str, field: str) -> int:
    count = int(record.get(f"{group}.count", 0))
    return sum(int(record.get(f"{group}.{i}.{field}", 0)) for i in range(count))


def domain_stats(conn: libvirt.virConnect, dom: libvirt.virDomain) -> MachineStats | None:
    """The domain's counters, or None when it is not running."""
    if not dom.isActive():
        return None
    found = conn.domainListGetStats([dom], STATS, 0)
    if not found:
        return None
    record = found[0][1]
    memory = record.get("balloon.rss") or record.get("balloon.current") or 0
    return MachineStats(
        cpu_time_ns=int(record.get("cpu.time", 0)), memory_kib=int(memory),
        disk_read_bytes=_sum(record, "block", "rd.bytes"),
        disk_write_bytes=_sum(record, "block", "wr.bytes"),
        net_rx_bytes=_sum(record, "net", "rx.bytes"), net_tx_bytes=_sum(record, "net", "tx.bytes"))
