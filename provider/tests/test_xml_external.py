"""XML request bodies never make the provider open a file: no DTD, external entity or XInclude.

A DOCTYPE is refused after decoding, wherever it hides (UTF-16 with or without a BOM, after 4 KiB
of whitespace). Each hostile body points at a FIFO: opening it for reading would block the
provider, and afterwards a non-blocking writer open fails with ENXIO only if no reader ever
waits on it.
"""
from __future__ import annotations

import errno
import os
import threading

import pytest
import requests

from cimi import NS
from server import ProviderProcess

HEADERS = {"Content-Type": "application/xml", "Accept": "application/json"}
TIMEOUT = 5


@pytest.fixture(scope="module")
def fifo(tmp_path_factory):
    path = tmp_path_factory.mktemp("fifo") / "trap"
    os.mkfifo(path)
    return str(path)


@pytest.fixture(scope="module")
def xml_provider(tmp_path_factory, fifo):
    prov = ProviderProcess(tmp_path_factory.mktemp("xmlx") / "cimi.db").start()
    try:
        yield prov
    finally:
        release(fifo)  # a provider blocked on the FIFO (the bug) must still stop
        prov.stop()


def release(fifo: str) -> bool:
    """Open the FIFO's write side without blocking: True if a reader was waiting (it is freed)."""
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        assert exc.errno == errno.ENXIO, exc
        return False
    os.close(fd)
    return True


def config_xml(name: str = "x") -> str:
    return (f'<MachineConfiguration xmlns="{NS}"><name>{name}</name><cpu>1</cpu>'
            f'<memory>1024</memory></MachineConfiguration>')


def bodies(fifo: str) -> dict:
    doctype = f'<!DOCTYPE MachineConfiguration SYSTEM "{fifo}">'
    utf16 = f'<?xml version="1.0" encoding="UTF-16"?>{doctype}{config_xml()}'
    entity = (f'<!DOCTYPE MachineConfiguration [<!ENTITY e SYSTEM "{fifo}">]>'
              f'{config_xml("&e;")}')
    laughs = ('<!DOCTYPE MachineConfiguration [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
              + f']>{config_xml("&i;")}')
    return {
        "utf16_bom": utf16.encode("utf-16"),
        "utf16_no_bom_declared": utf16.encode("utf-16-le"),
        "utf16be_no_bom_declared": utf16.encode("utf-16-be"),
        "whitespace_4k": (" " * 5000 + doctype + config_xml()).encode(),
        "external_entity_utf16": entity.encode("utf-16"),
        "parameter_entity": (f'<!DOCTYPE MachineConfiguration [<!ENTITY % p SYSTEM "{fifo}"> %p;]>'
                             f'{config_xml()}').encode("utf-16"),
        "billion_laughs": laughs.encode("utf-16"),
        "xinclude": (f'<MachineConfiguration xmlns="{NS}" xmlns:xi="http://www.w3.org/2001/XInclude">'
                     f'<name><xi:include href="{fifo}" parse="text"/></name><cpu>1</cpu>'
                     f'<memory>1024</memory></MachineConfiguration>').encode(),
    }


@pytest.mark.parametrize("case", sorted(bodies("fifo")))
def test_hostile_xml_refused_without_opening_files(xml_provider, fifo, case):
    url = xml_provider.base + "machineConfigs"
    answers = {}

    def post():
        try:
            answers["post"] = requests.post(url, data=bodies(fifo)[case], headers=HEADERS,
                                            timeout=TIMEOUT)
        except requests.RequestException as exc:
            answers["post"] = exc

    poster = threading.Thread(target=post)
    poster.start()
    listing = requests.get(url, headers={"Accept": "application/json"}, timeout=TIMEOUT)
    poster.join(TIMEOUT + 1)
    opened = release(fifo)
    assert not opened, "the provider opened the FIFO"
    assert listing.status_code == 200
    reply = answers["post"]
    assert isinstance(reply, requests.Response), reply
    assert reply.status_code == 400, reply.text
    assert reply.json()["returnCode"] == 400 and reply.json()["state"] == "FAILED"
    assert requests.get(url, headers={"Accept": "application/json"},
                        timeout=TIMEOUT).json()["count"] == listing.json()["count"]
