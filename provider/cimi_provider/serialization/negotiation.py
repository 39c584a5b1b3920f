# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Response format choice (DSP0263 4.1.4, 4.1.6.5) and request media types."""
from __future__ import annotations

from .errors import NotAcceptable, UnsupportedMediaType

# Most specific first: the first range present in Accept decides the q of a format
# (RFC 9110 12.5.1: a more specific range overrides a less specific one).
_RANGES = {
    "json": (("application/json",), ("application/*",), ("*/*",)),
    "xml": (("application/xml", "text/xml"), ("application/*", "text/*"), ("*/*",)),
}
MAX_ACCEPT_LENGTH = 2048


def _parse_accept(header: str) -> dict[str, float]:
    ranges: dict[str, float] = {}
    for part in header[:MAX_ACCEPT_LENGTH].split(","):
        media, *params = [piece.strip() for piece in part.split(";")]
        media = media.lower()
        if "/" not in media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0  # a malformed weight is not a preference
        ranges[media] = max(quality, ranges.get(media, 0.0)) if media in ranges else quality
    return ranges


def _quality(ranges: dict[str, float], fmt: str) -> float:
    for level in _RANGES[fmt]:
        present = [ranges[media] for media in level if media in ranges]
        if present:
            return max(present)
    return 0.0


def negotiate(accept_header: str | None, format_param: str | None) -> str:
    """Return ``'json'`` or ``'xml'``; raise ``NotAcceptable`` if neither can be served.

    ``$format`` (case-insensitive) overrides Accept. No Accept, an empty one or ``*/*``
    gives JSON; on equal weights JSON wins.
    """
    if format_param is not None:
        fmt = format_param.strip().lower()
        if fmt in ("json", "xml"):
            return fmt
        raise NotAcceptable("$format must be 'json' or 'xml'")
    if accept_header is None or not accept_header.strip():
        return "json"
    ranges = _parse_accept(accept_header)
    json_q, xml_q = _quality(ranges, "json"), _quality(ranges, "xml")
    if json_q <= 0 and xml_q <= 0:
        raise NotAcceptable("only application/json and application/xml can be served")
    return "xml" if xml_q > json_q else "json"


def body_format(content_type: str | None) -> str:
    """``'json'`` or ``'xml'`` for a request Content-Type, else ``UnsupportedMediaType``."""
    if not content_type or not content_type.strip():
        raise UnsupportedMediaType("a Content-Type of application/json or application/xml is required")
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or (media.startswith("application/") and media.endswith("+json")):
        return "json"
    if media in ("application/xml", "text/xml") or (
            media.startswith("application/") and media.endswith("+xml")):
        return "xml"
    raise UnsupportedMediaType("Content-Type must be application/json or application/xml")
