"""Names of the libvirt objects this backend creates.

Every domain, volume, pool and network carries a configurable prefix (default ``cimi-``), so the
provider only ever touches its own objects and parallel runs with distinct prefixes never collide.
"""
from __future__ import annotations

import hashlib
import re

DEFAULT_PREFIX = "cimi-"
_PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_KEY_RE = re.compile(r"[^A-Za-z0-9_.-]")


def check_prefix(prefix: str) -> str:
    if not _PREFIX_RE.match(prefix or ""):
        raise ValueError(
            f"invalid libvirt name prefix {prefix!r}: 1-32 characters of letters, digits, '_', '.', '-'"
            " starting with a letter or digit")
    return prefix


class Names:
    """Maps provider resource keys to libvirt object names and back."""

    def __init__(self, prefix: str = DEFAULT_PREFIX):
        self.prefix = check_prefix(prefix)

    @staticmethod
    def _key(key: str) -> str:
        # Resource keys come from the store (uuid-like); keep libvirt names safe anyway.
        return _KEY_RE.sub("_", key)

    def domain(self, key: str) -> str:
        return f"{self.prefix}m-{self._key(key)}"

    def network(self, key: str) -> str:
        return f"{self.prefix}n-{self._key(key)}"

    def bridge(self, key: str) -> str:
        # Linux interface names are at most 15 characters; derive a stable short one.
        digest = hashlib.sha1(f"{self.prefix}{key}".encode()).hexdigest()[:10]
        return f"cimi{digest}"

    def pool(self) -> str:
        return f"{self.prefix}pool"

    def machine_disk(self, key: str, index: int) -> str:
        return f"{self.prefix}m-{self._key(key)}-disk{index}"

    def user_data(self, key: str) -> str:
        return f"{self.prefix}m-{self._key(key)}-userdata"

    def ovf_environment(self, key: str) -> str:
        return f"{self.prefix}m-{self._key(key)}-ovfenv"

    def volume(self, key: str) -> str:
        return f"{self.prefix}v-{self._key(key)}"

    def image(self, key: str) -> str:
        return f"{self.prefix}i-{self._key(key)}"

    def owns(self, name: str) -> bool:
        return name.startswith(self.prefix)

    def domain_key(self, name: str) -> str | None:
        head = f"{self.prefix}m-"
        return name[len(head):] if name.startswith(head) else None

    def network_key(self, name: str) -> str | None:
        head = f"{self.prefix}n-"
        return name[len(head):] if name.startswith(head) else None

    def volume_owner(self, name: str) -> tuple | None:
        """(kind, key) of a pool volume this provider named: ("Machine"|"Volume"|"MachineImage", key)."""
        if not name.startswith(self.prefix):
            return None
        rest = name[len(self.prefix):]
        if rest.startswith("v-"):
            return ("Volume", rest[2:])
        if rest.startswith("i-"):
            return ("MachineImage", rest[2:])
        match = re.match(r"^m-(.*)-(disk\d+|userdata|ovfenv)$", rest)
        return ("Machine", match.group(1)) if match else None
