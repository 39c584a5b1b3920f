# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Serialization errors; every message is short and safe to show to a client."""
from __future__ import annotations


class SerializationError(ValueError):
    """A request body that cannot be read: HTTP 400."""


class BodyTooLarge(SerializationError):
    """The body exceeds the size limit (checked before parsing): HTTP 413 (or 400)."""


class UnsupportedMediaType(SerializationError):
    """The request Content-Type is neither JSON nor XML: HTTP 415."""


class NotAcceptable(SerializationError):
    """Neither JSON nor XML satisfies Accept / $format: HTTP 406."""
