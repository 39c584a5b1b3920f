# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed value helpers shared by ``$filter`` and ``$orderby``.

dateTime values follow XML Schema ``xs:dateTime`` (DSP0263 5.5.2). A value without a
time-zone offset is read as UTC so every instant compares with every other.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone

# Fixed-shape pattern (no nested quantifiers): linear time on any input.
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,12}))?)?"
    r"(Z|[+-]\d{2}:\d{2})?"
)

MAX_DATETIME_TEXT = 48


def parse_datetime(text: str, allow_date_only: bool = True) -> datetime | None:
    """Return an aware datetime for an xs:dateTime (or xs:date) string, else None."""
    if not isinstance(text, str) or len(text) > MAX_DATETIME_TEXT:
        return None
    match = _DATETIME.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    if hour is None and not allow_date_only:
        return None
    try:
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                         int(second or 0), micro, tzinfo=timezone.utc)
    except ValueError:
        return None
    if offset and offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 14 or minutes > 59:
            return None
        try:
            # 12:00-05:00 is 17:00Z: subtract the offset to reach UTC.
            value = value - sign * timedelta(hours=hours, minutes=minutes)
        except OverflowError:
            return None
    return value


def is_integer(value: object) -> bool:
    """JSON integers only: bool is an int subclass in Python but not a CIMI integer."""
    return isinstance(value, int) and not isinstance(value, bool)


def nfkd(text: str) -> str:
    """Sort key for strings (DSP0263 4.1.6.6): binary order after NFKD."""
    return unicodedata.normalize("NFKD", text)
