"""Small helpers shared by the benchmarks: interleaved rounds, medians and percentiles, peak
memory, ratio lines and Markdown tables. Benchmarks print figures; they assert nothing."""
from __future__ import annotations

import datetime
import os
import platform
import statistics


def interleave(runners: dict, rounds: int) -> dict:
    """Run every ``name -> callable()`` once per round, alternating, so drift on a shared
    machine hits all of them alike. Returns ``name -> [result per round]``."""
    results: dict = {name: [] for name in runners}
    for index in range(rounds):
        order = list(runners) if index % 2 == 0 else list(reversed(runners))
        for name in order:
            results[name].append(runners[name]())
    return results


def median(values) -> float:
    return statistics.median(values)


def percentile(values, pct: float) -> float:
    """Nearest-rank percentile (pct in 0-100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


def peak_rss_kib(pid: int) -> int | None:
    """Peak resident memory (VmHWM) of a live process, in KiB; None where /proc has none."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def ratio(value: float, floor: float) -> float:
    return value / floor if floor else float("nan")


def ratio_line(label: str, value: float, floor: float, unit: str = "") -> str:
    return f"{label}: {value:.1f}{unit} vs floor {floor:.1f}{unit} = {ratio(value, floor):.0%}"


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = [ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def today() -> str:
    return datetime.date.today().isoformat()


def markdown_table(headers: list, rows: list) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
