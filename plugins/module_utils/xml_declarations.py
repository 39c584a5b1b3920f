# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Find DTD declarations in XML bytes before any XML library acts on them.

expat (stdlib) decodes the bytes as the document declares (UTF-16 included) and reports each
declaration to a handler; the handlers stop at the first one and expat never opens anything
itself. Used by the OVF reader (``ovf/xmlsafe.py``) and by the reference provider's CIMI XML
reader, so both refuse DOCTYPE, ENTITY and external entities the same way.
"""

from xml.parsers import expat

MESSAGES = {
    'doctype': 'a DOCTYPE declaration is not allowed',
    'entity': 'an ENTITY declaration is not allowed',
    'external_entity': 'external entity references are not allowed',
}


class _Found(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _stop_at(code):
    def handler(*_args):
        raise _Found(code)
    return handler


def dtd_declaration(data):
    """The first DTD-related declaration in ``data`` (a key of MESSAGES), or None when none.

    Raises ``expat.ExpatError`` (or ValueError) when ``data`` is not well-formed XML.
    """
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _stop_at('doctype')
    parser.EntityDeclHandler = _stop_at('entity')
    parser.UnparsedEntityDeclHandler = _stop_at('entity')
    parser.ExternalEntityRefHandler = _stop_at('external_entity')
    try:
        parser.Parse(data, True)
    except _Found as found:
        return found.code
    return None
