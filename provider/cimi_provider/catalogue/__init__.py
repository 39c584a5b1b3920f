"""Data-driven CIMI resource catalogue (see ``types.py`` for the table itself)."""
from .model import ACTION_NS, CAPABILITY_NS, NS, ActionSpec, Attr, Capability, ResourceType, SubCollection
from .types import CEP_ORDER, JOB_ACTIVE, STRUCTS, TOP_LEVEL, TYPES, by_path

__all__ = ["ACTION_NS", "CAPABILITY_NS", "NS", "ActionSpec", "Attr", "Capability", "ResourceType",
           "SubCollection", "CEP_ORDER", "JOB_ACTIVE", "STRUCTS", "TOP_LEVEL", "TYPES", "by_path"]
