#!/usr/bin/env python3
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Register MachineImages named NAME... from LOCATION on a CIMI provider and wait until each is
AVAILABLE. Used by tools/cimi_provider.sh to give the libvirt backend the images the memory
backend seeds (``debian-12``, ``cirros``), so integration targets use the same names on both.

Usage: cimi_seed_images.py CEP_URL LOCATION NAME...
(LOCATION: a file:/// URI under the provider's --import-root)
"""
import sys
import time
from urllib.parse import urljoin

import requests

JSON = {"Accept": "application/json", "Content-Type": "application/json"}
NS = "http://schemas.dmtf.org/cimi/2"


def main(cep_url: str, location: str, names: list) -> int:
    session = requests.Session()
    cep = session.get(cep_url, headers=JSON, timeout=30).json()
    images_url = urljoin(cep["baseURI"], cep["machineImages"]["href"])
    collection = session.get(images_url, headers=JSON, timeout=30).json()
    add = next(op["href"] for op in collection.get("operations", []) if op["rel"] == "add")
    ids = []
    for name in names:
        reply = session.post(urljoin(cep["baseURI"], add), headers=JSON, timeout=60, json={
            "resourceURI": NS + "/MachineImage", "name": name, "type": "IMAGE",
            "imageLocation": location})
        if reply.status_code not in (200, 201, 202):
            print(f"registering {name} failed: HTTP {reply.status_code} {reply.text}", file=sys.stderr)
            return 1
        ids.append(urljoin(cep["baseURI"], reply.headers.get("Location") or reply.json()["id"]))
    deadline = time.monotonic() + 120
    for image_id in ids:
        while True:
            state = session.get(image_id, headers=JSON, timeout=30).json().get("state")
            if state == "AVAILABLE":
                break
            if state in ("ERROR", None) or time.monotonic() > deadline:
                print(f"image {image_id} is {state}, not AVAILABLE", file=sys.stderr)
                return 1
            time.sleep(0.2)
    print(f"registered {', '.join(names)} from {location}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
