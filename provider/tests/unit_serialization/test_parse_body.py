# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request body parsing: media types, limits, hostile XML and JSON."""
from __future__ import annotations

import pytest
from samples import NS

from cimi_provider.serialization import (
    BodyTooLarge, SerializationError, UnsupportedMediaType, parse_body,
)

LIMIT = 1 << 16
JSON = "application/json"
XML = "application/xml"


def xml(text):
    return text.encode()


@pytest.mark.parametrize("ctype", [None, "", "text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data", "application/jsonx"])
def test_unsupported_media_types(ctype):
    with pytest.raises(UnsupportedMediaType):
        parse_body(b"{}", ctype, LIMIT)


@pytest.mark.parametrize("ctype", ["application/json", "Application/JSON; charset=utf-8",
                                   "application/vnd.cimi+json"])
def test_json_media_types(ctype):
    assert parse_body(b'{"a": 1}', ctype, LIMIT) == {"a": 1}


@pytest.mark.parametrize("ctype", ["application/xml", "text/xml; charset=UTF-8", "application/cimi+xml"])
def test_xml_media_types(ctype):
    body = xml(f'<Action xmlns="{NS}"><action>{NS}/action/stop</action><force>true</force></Action>')
    assert parse_body(body, ctype, LIMIT) == {"resourceURI": f"{NS}/Action",
                                             "action": f"{NS}/action/stop", "force": True}


def test_size_limit_before_parsing():
    with pytest.raises(BodyTooLarge, match="larger than 10 bytes"):
        parse_body(b'{"name": "0123456789"}', JSON, 10)
    with pytest.raises(BodyTooLarge):
        parse_body(b"<" * 100, XML, 50)  # would be malformed: size is checked first
    assert issubclass(BodyTooLarge, SerializationError)


@pytest.mark.parametrize("body", [b"", b"   \n"])
def test_empty_body(body):
    with pytest.raises(SerializationError, match="empty"):
        parse_body(body, JSON, LIMIT)


@pytest.mark.parametrize("body,message", [
    (b"[1, 2]", "must be an object"),
    (b'"text"', "must be an object"),
    (b"{", "malformed JSON"),
    (b'{"a": 1,}', "malformed JSON"),
    (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
    (b'{"a": {"b": 1, "b": 1}}', "duplicate key 'b'"),
    (b'{"a": NaN}', "NaN is not allowed"),
    (b'{"a": Infinity}', "Infinity is not allowed"),
    (b'{"a": -Infinity}', "not allowed"),
    (b'{"a": 1e999}', "finite"),
    (b'{"a": ' + b"1" * 5000 + b"}", "too large"),
    (b'{"a": "\xff"}', "not valid UTF-8"),
])
def test_bad_json(body, message):
    with pytest.raises(SerializationError, match=message):
        parse_body(body, JSON, LIMIT)


def test_json_depth_limit():
    nested = b'{"a": ' * 70 + b"1" + b"}" * 70
    with pytest.raises(SerializationError, match="nested deeper than 64"):
        parse_body(nested, JSON, LIMIT)
    deep = b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(SerializationError, match="nested deeper"):
        parse_body(deep, JSON, 1 << 20)
    ok = b'{"a": ' * 60 + b"1" + b"}" * 60
    assert parse_body(ok, JSON, LIMIT)


def test_json_error_message_is_short_and_does_not_echo_input():
    body = b'{"name": "' + b"A" * 50_000 + b'"'
    with pytest.raises(SerializationError) as info:
        parse_body(body, JSON, 1 << 20)
    assert len(str(info.value)) < 200 and "AAAA" not in str(info.value)


def test_json_bom_accepted():
    assert parse_body(b'\xef\xbb\xbf{"a": 1}', JSON, LIMIT) == {"a": 1}


XXE = f"""<?xml version="1.0"?>
<!DOCTYPE Machine [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<MachineCreate xmlns="{NS}"><name>&xxe;</name></MachineCreate>"""

LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<MachineCreate xmlns="{NS}"><name>&lol3;</name></MachineCreate>"""

EXTERNAL_DTD = f"""<?xml version="1.0"?>
<!DOCTYPE MachineCreate SYSTEM "http://127.0.0.1:1/evil.dtd">
<MachineCreate xmlns="{NS}"><name>x</name></MachineCreate>"""

PARAMETER_ENTITY = f"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
<MachineCreate xmlns="{NS}"/>"""


@pytest.mark.parametrize("text", [XXE, LAUGHS, EXTERNAL_DTD, PARAMETER_ENTITY])
def test_doctype_and_entities_refused(text):
    with pytest.raises(SerializationError, match="DOCTYPE"):
        parse_body(xml(text), XML, LIMIT)


def test_doctype_in_utf16_refused_after_parse():
    body = XXE.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    with pytest.raises(SerializationError) as info:
        parse_body(body.encode("utf-16"), XML, LIMIT)
    assert "root" not in str(info.value)  # never read /etc/passwd into a value


def test_undeclared_entity_refused():
    with pytest.raises(SerializationError):
        parse_body(xml(f'<MachineCreate xmlns="{NS}"><name>&foo;</name></MachineCreate>'), XML, LIMIT)


@pytest.mark.parametrize("text,message", [
    ("<Machine", "malformed XML"),
    ("<a><b></a>", "malformed XML"),
    ("not xml at all", "malformed XML"),
    ('<Machine xmlns="http://example.com/other"/>', "namespace"),
    ('<c:Machine xmlns:c="http://example.com/other"/>', "namespace"),
    (f'<Machine xmlns="{NS}"><cpu>two</cpu></Machine>', "'cpu' must be an integer"),
    (f'<Machine xmlns="{NS}"><cpu>1.5</cpu></Machine>', "'cpu' must be an integer"),
    (f'<Action xmlns="{NS}"><force>yes</force></Action>', "'force' must be true or false"),
    (f'<Machine xmlns="{NS}"><name>a</name><name>b</name></Machine>', "appears more than once"),
    (f'<Machine xmlns="{NS}"><properties><property>v</property></properties></Machine>',
     "need a key attribute"),
    (f'<Machine xmlns="{NS}"><properties><property key="k">a</property>'
     f'<property key="k">b</property></properties></Machine>', "appears more than once"),
])
def test_bad_xml(text, message):
    with pytest.raises(SerializationError, match=message):
        parse_body(xml(text), XML, LIMIT)


def test_xml_depth_limit():
    body = f'<MachineCreate xmlns="{NS}">' + "<x>" * 80 + "1" + "</x>" * 80 + "</MachineCreate>"
    with pytest.raises(SerializationError, match="nested deeper than 64"):
        parse_body(xml(body), XML, LIMIT)
    body = f'<MachineCreate xmlns="{NS}">' + "<x>" * 5000 + "</x>" * 5000 + "</MachineCreate>"
    with pytest.raises(SerializationError):
        parse_body(xml(body), XML, 1 << 20)


def test_xml_error_message_is_short():
    body = f'<MachineCreate xmlns="{NS}"><{"a" * 20000}>'.encode()
    with pytest.raises(SerializationError) as info:
        parse_body(body, XML, 1 << 20)
    assert len(str(info.value)) < 200


def test_cimi_v1_namespace_accepted_with_bare_properties_and_operations():
    v1 = "http://schemas.dmtf.org/cimi/1"
    body = (f'<Machine xmlns="{v1}"><id>m</id><property key="a">b</property>'
            f'<property key="c">d</property><cpu>2</cpu>'
            f'<operation rel="edit" href="m"/></Machine>')
    assert parse_body(xml(body), XML, LIMIT) == {
        "resourceURI": f"{v1}/Machine", "id": "m", "properties": {"a": "b", "c": "d"}, "cpu": 2,
        "operations": [{"rel": "edit", "href": "m"}]}


def test_namespace_less_xml_is_read_as_cimi_2():
    """1.x clients (and the plugfest scenarios) often sent no namespace at all."""
    body = xml("<MachineCreate><name>m</name><machineTemplate>"
               '<machineConfig href="c"/></machineTemplate></MachineCreate>')
    doc = parse_body(body, XML, LIMIT)
    assert doc == {"resourceURI": f"{NS}/MachineCreate", "name": "m",
                   "machineTemplate": {"machineConfig": {"href": "c"}}}
    assert doc.type_source == "the root element <MachineCreate>"


def test_namespace_less_xml_keeps_the_hardened_parser():
    with pytest.raises(SerializationError, match="DOCTYPE"):
        parse_body(xml('<!DOCTYPE a [<!ENTITY e "x">]><Action><action>&e;</action></Action>'),
                   XML, LIMIT)
    with pytest.raises(SerializationError, match="XInclude"):
        parse_body(xml('<Action xmlns:xi="http://www.w3.org/2001/XInclude">'
                       '<xi:include href="/etc/passwd"/></Action>'), XML, LIMIT)


def test_whitespace_around_uri_values_is_collapsed():
    """xs:anyURI collapses whitespace; the spec's examples write <action> on its own line."""
    body = xml(f"""<Action xmlns="{NS}">
      <action>
        {NS}/action/stop
      </action>
    </Action>""")
    assert parse_body(body, XML, LIMIT)["action"] == f"{NS}/action/stop"
    named = parse_body(xml(f'<Machine xmlns="{NS}"><name> a b </name></Machine>'), XML, LIMIT)
    assert named["name"] == " a b "  # strings keep their whitespace


def test_resource_uri_from_an_attribute_is_the_clients():
    doc = parse_body(xml(f'<Collection xmlns="{NS}" resourceURI="{NS}/MachineCollection"/>'),
                     XML, LIMIT)
    assert doc["resourceURI"] == f"{NS}/MachineCollection" and not doc.type_source


def test_xml_reading_details():
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
    <!-- a comment -->
    <MachineCreate xmlns="{NS}" xmlns:ext="urn:ext">
      <name> spaced name </name>
      <machineTemplate href="http://h/t1">
        <initialState>STOPPED</initialState>
        <userData/>
        <volumes><volume><volume href="http://h/v1"/><initialLocation>/dev/vdb</initialLocation></volume></volumes>
      </machineTemplate>
      <ext:flavour>large</ext:flavour>
    </MachineCreate>"""
    assert parse_body(xml(body), XML, LIMIT) == {
        "resourceURI": f"{NS}/MachineCreate", "name": " spaced name ",
        "machineTemplate": {"href": "http://h/t1", "initialState": "STOPPED", "userData": None,
                            "volumes": [{"volume": {"href": "http://h/v1"},
                                         "initialLocation": "/dev/vdb"}]},
        "flavour": "large"}


def test_capability_values_typed():
    body = f"""<ResourceMetadata xmlns="{NS}"><capabilities>
      <capability uri="u1"> true </capability><capability uri="u2">STARTED</capability>
      <capability uri="u3">42</capability></capabilities></ResourceMetadata>"""
    caps = parse_body(xml(body), XML, LIMIT)["capabilities"]
    assert caps == [{"uri": "u1", "value": True}, {"uri": "u2", "value": "STARTED"},
                    {"uri": "u3", "value": 42}]


@pytest.mark.parametrize("text", ['{"name": "\\ud800"}', '{"a": {"b": ["\\udc00"]}}',
                                  '{"\\ud800": 1}', '{"p": {"k\\u001f": "v"}}', '{"n": "\\uffff"}'])
def test_json_strings_that_cannot_render_refused(text):
    with pytest.raises(SerializationError, match="lone surrogates"):
        parse_body(text.encode(), JSON, LIMIT)


def test_stored_lone_surrogate_still_renders():
    """Data stored before the edge refused such strings renders in both formats."""
    from cimi_provider.serialization import render
    doc = {"resourceURI": f"{NS}/Machine", "id": "m", "name": "a\ud800b\x01"}
    body, _ = render(doc, "json")
    assert body == b'{"resourceURI":"%s/Machine","id":"m","name":"a\\ud800b\\u0001"}' % NS.encode()
    body, _ = render(doc, "xml")
    assert "a\ufffdb\ufffd".encode() in body


@pytest.mark.parametrize("disks, parsed", [
    ("<disk/>", [{}]),  # an empty item: a structure with every attribute defaulted
    ("<capacity>5</capacity>", [{"capacity": 5}]),  # one structure without its item element
    ("<disk><capacity>5</capacity></disk><disk/>", [{"capacity": 5}, {}]),
])
def test_xml_arrays_of_structures_arrive_typed(disks, parsed):
    doc = parse_body(xml(f'<MachineConfiguration xmlns="{NS}"><cpu>1</cpu>'
                         f'<disks>{disks}</disks></MachineConfiguration>'), XML, LIMIT)
    assert doc["cpu"] == 1 and doc["disks"] == parsed


def test_xml_reference_is_not_taken_for_an_array():
    doc = parse_body(xml(f'<Machine xmlns="{NS}"><disks href="machines/m/disks"/></Machine>'),
                     XML, LIMIT)
    assert doc["disks"] == {"href": "machines/m/disks"}
