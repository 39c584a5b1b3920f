"""Who may see and change which rows: resource ownership (see docs/security.md, "Tenancy").

Every row has an owner: the name of the principal whose request created it (sub-resources and
Jobs take the owner of what they belong to; see ``Transaction.put``). ``None`` is the operator:
rows seeded or adopted at start-up, rows written without authentication (loopback dev mode), and
rows of databases made before owners were recorded. Roles:

* ``admin`` sees and changes everything;
* ``reader`` sees everything and changes nothing (the role's meaning before tenancy);
* ``user`` sees and changes its own rows, and sees (read-only) the public catalogue: rows of
  catalogue types (configurations, images, templates) owned by the operator or by an admin.

Whatever a principal may not see answers exactly as if it did not exist.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass

CATALOGUE_TYPES = frozenset((
    "MachineConfiguration", "MachineImage", "MachineTemplate", "CredentialTemplate",
    "VolumeConfiguration", "VolumeImage", "VolumeTemplate", "NetworkTemplate", "SystemTemplate"))
SHARED_TYPES = frozenset(("CloudEntryPoint",))  # seen by all, changed by admins only


@dataclass(frozen=True)
class Access:
    owner: str | None          # the owner of the rows this principal creates
    sees_all: bool = True
    changes_all: bool = True
    admins: frozenset = frozenset()  # owners whose catalogue rows are public

    def sees(self, row) -> bool:
        if self.sees_all or row.type in SHARED_TYPES or row.owner == self.owner:
            return True
        return row.type in CATALOGUE_TYPES and (row.owner is None or row.owner in self.admins)

    def changes(self, row) -> bool:
        return self.changes_all or (row.owner == self.owner and row.type not in SHARED_TYPES)


OPERATOR = Access(None)  # no authentication configured, start-up work, background Jobs' defaults
# The access of the request being served. The HTTP layer sets it per request; the Jobs a request
# starts are tasks created inside it and inherit it (contextvars are copied into new tasks).
current: contextvars.ContextVar[Access] = contextvars.ContextVar("cimi_access", default=OPERATOR)
