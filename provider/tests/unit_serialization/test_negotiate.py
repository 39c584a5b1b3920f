# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Accept / $format negotiation (DSP0263 4.1.4, 4.1.6.5)."""
from __future__ import annotations

import pytest

from cimi_provider.serialization import NotAcceptable, SerializationError, negotiate


@pytest.mark.parametrize("accept,expected", [
    (None, "json"), ("", "json"), ("*/*", "json"), ("application/json", "json"),
    ("application/xml", "xml"), ("text/xml", "xml"), ("APPLICATION/XML", "xml"),
    ("application/*", "json"), ("text/html, application/xml;q=0.9, */*;q=0.1", "xml"),
    ("application/json;q=0.5, application/xml", "xml"),
    ("application/xml;q=0.5, application/json", "json"),
    ("application/xml, application/json", "json"),
    ("application/json;q=0, */*", "xml"),
    ("application/xml;q=0, */*", "json"),
    ("*/*;q=0.1, application/xml;q=0.2", "xml"),
    ("application/xml; charset=utf-8; q=0.8, application/json; q=0.7", "xml"),
    ("text/*", "xml"),
    ("application/xml;q=bogus, application/json;q=0.1", "json"),
])
def test_accept(accept, expected):
    assert negotiate(accept, None) == expected


@pytest.mark.parametrize("accept", [
    "text/html", "image/png, text/plain", "application/json;q=0, application/xml;q=0",
    "*/*;q=0", "garbage", "application/yaml",
])
def test_not_acceptable(accept):
    with pytest.raises(NotAcceptable):
        negotiate(accept, None)
    assert issubclass(NotAcceptable, SerializationError)


@pytest.mark.parametrize("fmt,accept,expected", [
    ("xml", "application/json", "xml"), ("JSON", "application/xml", "json"),
    (" Xml ", None, "xml"), ("json", "text/html", "json"),
])
def test_format_overrides_accept(fmt, accept, expected):
    assert negotiate(accept, fmt) == expected


@pytest.mark.parametrize("fmt", ["yaml", "", "edn"])
def test_bad_format(fmt):
    with pytest.raises(NotAcceptable, match=r"\$format"):
        negotiate("application/json", fmt)


def test_huge_accept_header_is_bounded():
    # Only the first 2048 characters count: a range past them is not seen.
    with pytest.raises(NotAcceptable):
        negotiate("text/plain," * 50_000 + "application/xml", None)
    assert negotiate("application/xml," + "text/plain," * 50_000, None) == "xml"
