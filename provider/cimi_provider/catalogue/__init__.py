"""Data-driven CIMI resource catalogue (see ``types.py`` for the table itself)."""
from .model import (ACTION_NS, CAPABILITY_NS, COMMON_ELEMENTS, EXTENSION_ACTION_NS, EXTENSION_NS,
                    NS, NS_V1, ActionSpec, Attr, Capability, ResourceType, SubCollection)
from .types import (CEP_ORDER, JOB_ACTIVE, JOB_TERMINAL, STRUCTS, TOP_LEVEL, TYPES,
                    VOLUME_ACTION_PARAMS, by_path)

__all__ = ["ACTION_NS", "CAPABILITY_NS", "COMMON_ELEMENTS", "EXTENSION_ACTION_NS", "EXTENSION_NS",
           "NS", "NS_V1", "ActionSpec", "Attr",
           "Capability", "ResourceType", "SubCollection", "CEP_ORDER", "JOB_ACTIVE",
           "JOB_TERMINAL", "STRUCTS", "TOP_LEVEL", "TYPES", "VOLUME_ACTION_PARAMS", "by_path"]
