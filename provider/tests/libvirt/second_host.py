"""The second real libvirt host (tools/libvirtd_second.sh), for the multi-host system tests and
the multi-host benchmark: started when needed, stopped only by whoever started it (another
checkout's run, or a developer, may be using one already)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import libvirt

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "tools" / "libvirtd_second.sh"
LABELS = ("kvm1", "kvm2")  # the hosts' labels: the machines' ``host`` attribute


def _script(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args], check=check, capture_output=True, text=True,
                          timeout=120)


class SecondHost:
    def __init__(self):
        self.started_here = False
        self.uri = _script("uri").stdout.strip()

    def start(self) -> "SecondHost":
        # status exit 3: not started at all; anything else running is reused as it is.
        self.started_here = _script("status", check=False).returncode == 3
        _script("start")
        return self

    def stop(self) -> None:
        if self.started_here:
            _script("stop")

    def kill_daemon(self) -> None:
        """libvirtd dies (SIGKILL); its guests keep running, as after a real daemon crash."""
        _script("kill-daemon")

    def start_daemon(self) -> None:
        _script("start-daemon")

    def open(self) -> libvirt.virConnect:
        return libvirt.open(self.uri)

    def uris(self, first: str = "qemu:///system") -> tuple:
        """``--libvirt-uri`` values of a provider over this machine's daemon and this one."""
        return (f"{LABELS[0]}={first}", f"{LABELS[1]}={self.uri}")
