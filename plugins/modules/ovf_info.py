#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovf_info
short_description: Read an OVF appliance (.ova or .ovf) and report what deploying it needs
version_added: 0.1.0
description:
  - Reads an OVF 0.9, 1.x or 2.x appliance safely (no extraction, hardened XML) and returns the
    product, EULAs, properties with types and defaults, deployment options, networks, disks with
    capacities and formats, hardware per deployment option, operating system type, and the
    manifest and certificate status.
  - A VirtualSystemCollection (vApp) is described as a tree in RV(collection), and every system
    with its hardware, disks, networks, properties and StartupSection entry in RV(systems). A single
    VirtualSystem keeps the top-level keys (RV(name), RV(hardware), RV(properties), ...) and also
    gets RV(systems) with one entry.
  - Exports of VMware ovftool (also 2008-era ones without namespaces on child elements), Citrix
    XenCenter (UTF-16 declared on UTF-8 bytes, ResourceType 19 disks), VirtualBox (EFI firmware in
    C(vbox:Machine)) and virt-v2v style OVAs (C(./) members, one manifest per file, chunked
    files) are read. Bad values in advisory sections (OperatingSystemSection, StartupSection) are
    warnings.
  - Input that would lose data silently is refused with a specific RV(error_code), such as a duplicate
    InstanceID (C(duplicate_instance_id)), Disk id (C(duplicate_disk)) or property key
    (C(duplicate_property)), an unknown element marked C(ovf:required="true")
    (C(unsupported_required)); so are References hrefs that are URLs (C(url_reference)). The
    appliances guide lists every code.
  - Password properties never have their default value returned.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.ovf
options:
  verify_files:
    description:
      - Hash every file the manifest lists (disks included) and fail on a mismatch.
      - When false only the descriptor's digest is checked.
    type: bool
    default: true
  schema_lint:
    description:
      - Also validate the descriptor against the DMTF DSP8023 schema (1.x or 2.x) and report the
        problems in RV(schema). Real exports are often schema-invalid, so this never fails the task.
    type: bool
    default: false
  schema_dir:
    description:
      - Directory on the managed host holding the DMTF XSDs in C(envelope-1/), C(envelope-2/) and
        C(environment-1/). Required when O(schema_lint=true).
    type: path
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
'''

EXAMPLES = r'''
- name: What does the appliance need?
  cloudmgmt.dmtf.ovf_info:
    src: /srv/appliances/fw-3.1.ova
  register: fw

- name: Show its properties and deployment options
  ansible.builtin.debug:
    msg: "{{ fw.properties | map(attribute='key') }} / {{ fw.deployment_options | map(attribute='id') }}"

- name: Lint a descriptor against the DMTF schema, without hashing disks
  cloudmgmt.dmtf.ovf_info:
    src: /srv/appliances/fw-3.1/fw.ovf
    verify_files: false
    schema_lint: true
    schema_dir: /usr/share/dmtf/ovf-schemas
'''

RETURN = r'''
ovf_version:
  description: OVF version family of the descriptor (C(0.9), C(1.x) or C(2.x)).
  returned: success
  type: str
  sample: 1.x
name:
  description: Name of the virtual system (of the collection, for a vApp).
  returned: success
  type: str
system_id:
  description: C(ovf:id) of the virtual system (of the collection, for a vApp).
  returned: success
  type: str
systems:
  description:
    - Every VirtualSystem, in StartupSection order (document order when there is none).
    - For a vApp the single-system keys (RV(hardware), RV(firmware), RV(operating_system), ...)
      are empty or null and RV(properties) lists every system's properties with a C(system) key.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: C(ovf:id) of the system.
      type: str
    name:
      description: Name of the system.
      type: str
    collection:
      description: C(ovf:id) of the collection holding it, null for a single system.
      type: str
    hardware:
      description: Per deployment option, a summary and the items (as RV(hardware)).
      type: dict
    disks:
      description: The C(ovf:diskId) of every disk its hardware maps.
      type: list
      elements: str
    networks:
      description: The OVF networks its NICs connect to.
      type: list
      elements: str
    properties:
      description: Its properties (as RV(properties)).
      type: list
      elements: dict
    products:
      description: Its ProductSections.
      type: list
      elements: dict
    firmware:
      description: C(bios) or C(efi).
      type: str
    secure_boot:
      description: Whether the appliance asks for UEFI secure boot.
      type: bool
    startup:
      description: Its StartupSection entry (id, order, start_delay, stop_delay, start_action,
        stop_action, waiting_for_guest), null outside a vApp or when it has none.
      type: dict
collection:
  description: The VirtualSystemCollection as a tree (kind, id, name, startup, products, members
    with nested collections and systems); null for a single system.
  returned: success
  type: dict
secure_boot:
  description: Whether the system asks for UEFI secure boot (VMware
    C(bootOptions.efiSecureBootEnabled)); null for a vApp.
  returned: success
  type: bool
digest:
  description: SHA-256 identity of the appliance (descriptor, manifest, member list).
  returned: success
  type: str
product:
  description: The first ProductSection (product, vendor, version, full_version, URLs, class).
  returned: success
  type: dict
products:
  description: Every ProductSection.
  returned: success
  type: list
  elements: dict
eulas:
  description: EULA texts that O(cloudmgmt.dmtf.ovf_deploy#module:accept_eula) must accept.
  returned: success
  type: list
  elements: str
properties:
  description: Properties with key (as the guest sees it), type, qualifiers and parsed constraints,
    default (null for passwords), user_configurable, password, label, description and the
    ProductSection C(Category) they are listed under.
  returned: success
  type: list
  elements: dict
deployment_options:
  description: Configurations (id, label, description, default).
  returned: success
  type: list
  elements: dict
default_deployment_option:
  description: The configuration used when none is chosen.
  returned: success
  type: str
networks:
  description: OVF networks (name, description); each used one needs a libvirt network to deploy.
  returned: success
  type: list
  elements: dict
disks:
  description: Disks with id, capacity in bytes, declared format URI, detected format, file and
    its package members (offset, size); blank disks have C(blank=true).
  returned: success
  type: list
  elements: dict
files:
  description: References/File entries (id, href, size, compression, chunk_size).
  returned: success
  type: list
  elements: dict
hardware:
  description: Per deployment option, a summary (cpus, memory_bytes, nics, disks, cdroms,
    optional_devices) and items (each with C(required), false for C(ovf:required="false")).
  returned: success
  type: dict
operating_system:
  description: OperatingSystemSection (CIM OsType id, version, description, VMware osType).
  returned: success
  type: dict
firmware:
  description: C(bios) or C(efi).
  returned: success
  type: str
transports:
  description: OVF environment transports the appliance accepts (for example C(iso)).
  returned: success
  type: list
  elements: str
virtual_system_types:
  description: Advisory VirtualSystemType values.
  returned: success
  type: list
  elements: str
annotation:
  description: AnnotationSection text.
  returned: success
  type: str
manifest:
  description: Manifest status (policy, present, status, algorithms, verified files, uncovered).
  returned: success
  type: dict
certificate:
  description: Certificate status (present, status, signature, subject, issuer, trusted).
  returned: success
  type: dict
package:
  description: Package kind (C(ova) or C(ovf)), path, descriptor name and member index.
  returned: success
  type: dict
schema:
  description: Schema lint result (valid, schema, errors) when O(schema_lint=true).
  returned: when schema_lint is true
  type: dict
error_code:
  description: Stable code of the refusal when the task fails (for example C(path_traversal),
    C(url_reference), C(duplicate_instance_id)); the appliances guide lists them.
  returned: failure
  type: str
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import xmlsafe
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.appliance import (
    Appliance, read_trusted_certs)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import OvfError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.schema import lint


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type='path', required=True),
            manifest=dict(type='str', default='warn', choices=['ignore', 'warn', 'require']),
            trusted_certs=dict(type='list', elements='path'),
            verify_files=dict(type='bool', default=True),
            schema_lint=dict(type='bool', default=False),
            schema_dir=dict(type='path'),
        ),
        required_if=[('schema_lint', True, ['schema_dir'])],
        supports_check_mode=True,
    )
    if xmlsafe.etree is None:
        module.fail_json(msg=missing_required_lib('lxml'), exception=xmlsafe.LXML_IMPORT_ERROR)
    params = module.params
    try:
        appliance = Appliance(params['src'], params['manifest'],
                              read_trusted_certs(params['trusted_certs']))
        if params['verify_files'] and params['manifest'] != 'ignore':
            appliance.verify_all()
        result = appliance.info()
        if params['schema_lint']:
            result['schema'] = lint(appliance.descriptor, params['schema_dir'])
    except OvfError as exc:
        module.fail_json(msg=exc.message, error_code=exc.code)
    for warning in result.pop('warnings'):
        module.warn(warning)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
