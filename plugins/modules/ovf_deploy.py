#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: ovf_deploy
short_description: Deploy an OVF appliance (.ova or .ovf) onto a libvirt/KVM host
version_added: 0.1.0
description:
  - Converts the appliance's disks straight out of the OVA (never extracted) into a libvirt
    directory storage pool, builds an OVF environment ISO with the chosen property values,
    and defines (and optionally starts) a libvirt domain from the OVF hardware description.
  - Disk images are checked before use (format named explicitly, no backing file, no external
    data file, no VMDK extent outside the package, capacity as declared, free space measured);
    the manifest digests are computed while the disks are converted.
  - Idempotent. The domain's metadata records the appliance digest and the options used, so a
    re-run changes nothing. Changed hardware options, networks and properties are applied by
    redefining the domain (effective at the next boot); a different appliance, deployment option
    or disk format is reported in RV(changed_options) but never applied.
  - On any failure everything the run created is removed.
  - A VirtualSystemCollection (vApp) is deployed as one domain per VirtualSystem, named
    C(<name>-<ovf:id>). The O(networks) mapping is shared by all systems; O(properties) are given
    per system; O(state=running) starts the systems in StartupSection order with their start
    delays, O(state=stopped) stops them in reverse order with their stop delays; a failure in any
    system removes every domain and volume the run made. See the appliances guide.
  - Refusals fail with a specific RV(error_code), listed in the appliances guide.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.ovf
options:
  src:
    description:
      - Path on the managed host to the C(.ova) or C(.ovf). Not needed for O(state=absent).
    required: false
  name:
    description:
      - Name of the libvirt domain; also the prefix of the volumes it creates.
      - For a vApp, the prefix of its domains (C(<name>-<ovf:id>)).
    type: str
    required: true
  uri:
    description: libvirt connection URI.
    type: str
    default: qemu:///system
  pool:
    description: Name of the libvirt directory storage pool that receives the volumes.
    type: str
    default: default
  networks:
    description:
      - Map of OVF network name to libvirt network name. Every network a NIC of the chosen
        deployment option connects to must be mapped.
    type: dict
    default: {}
  properties:
    description:
      - Values for ProductSection properties, by key (C(key) or C(class.key.instance)).
        Checked against the declared type and qualifiers.
      - For a vApp, a key the guest sees (C(class.key.instance)) or a plain key goes to every
        system that has it; prefix it with a system's C(ovf:id) (C(web.hostname)) to give one
        system its value.
      - Password properties are never returned. Mark the task C(no_log) when values are secret.
    type: dict
    default: {}
  deployment_option:
    description: DeploymentOption configuration to deploy; the appliance default when omitted.
    type: str
  accept_eula:
    description: Accept the appliance's EULAs. Required when it has any.
    type: bool
    default: false
  disk_format:
    description: Format of the disk volumes.
    type: str
    choices: [qcow2, raw]
    default: qcow2
  max_disk_size:
    description: Refuse disks whose capacity is above this many bytes (0 means no limit).
    type: int
    default: 0
  cpus:
    description: Override the number of vCPUs.
    type: int
  memory:
    description: Override the memory, in MiB.
    type: int
  firmware:
    description: Override the firmware (the OVF's C(vmw:Config firmware), else C(bios)).
    type: str
    choices: [bios, efi]
  nic_model:
    description:
      - libvirt NIC model for every NIC. By default the first KVM-portable model listed in the
        OVF (virtio, e1000, e1000e, rtl8139), else virtio.
    type: str
    choices: [virtio, e1000, e1000e, rtl8139, vmxnet3]
  disk_bus:
    description: Bus for every disk. By default mapped from the OVF controller (SCSI through
      virtio-scsi, IDE, SATA; otherwise virtio).
    type: str
    choices: [virtio, scsi, sata, ide]
  preserve_mac:
    description: Use the MAC addresses written in the OVF instead of letting libvirt choose.
    type: bool
    default: false
  forward_ports:
    description:
      - Give the domain one more NIC, a QEMU user-mode NIC (C(restrict=on)) whose only way in is
        these TCP ports, forwarded from C(127.0.0.1) on the libvirt host to the guest. The guest
        reaches nothing through it; it takes its address by DHCP from QEMU. Useful to reach a
        guest (SSH) on a host without a bridge, or in tests.
      - The NIC is added after the OVF's NICs, needs no O(networks) entry, and has a MAC derived
        from O(name). A host port already in use on C(127.0.0.1) is refused before anything is
        created (RV(error_code) C(port_in_use)); a port outside 1-65535 or a host port given twice
        is refused as C(bad_forward_ports).
      - Only for an appliance with one VirtualSystem (a vApp is refused, C(forward_ports_vapp)).
        A change is applied by redefining the domain, effective at its next boot.
    type: list
    elements: dict
    default: []
    suboptions:
      host_port:
        description: TCP port on C(127.0.0.1) of the libvirt host.
        type: int
        required: true
      guest_port:
        description: TCP port in the guest.
        type: int
        required: true
  domain_type:
    description:
      - How the guest runs. C(kvm) is hardware virtualization, C(qemu) software emulation (slow,
        but it runs where KVM does not).
      - With C(auto), the module probes the host once per connection URI (KVM capabilities, then
        a paused probe domain) and uses C(kvm) when that works, else C(qemu).
      - Choose C(qemu) explicitly on hosts where KVM starts a domain but cannot run the guest, as
        on some nested hosts.
      - A change is applied by redefining the domain, effective at its next boot.
    type: str
    choices: [auto, kvm, qemu]
    default: auto
  state:
    description:
      - C(present) defines the domain without changing its power state (a new one stays off).
      - C(running) and C(stopped) also set the power state.
      - C(absent) removes the domain and only the volumes it created; for a vApp, every domain of
        the vApp O(name), found by the metadata ovf_deploy wrote.
    type: str
    choices: [present, running, stopped, absent]
    default: running
  wait:
    description:
      - Wait for the domain to reach the requested power state. When stopping, ask the guest to
        shut down and power it off after O(wait_timeout); without wait, power off at once.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 120
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Reports the plan (volumes, hardware, options) without touching the host.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
requirements:
  - libvirt-python
  - lxml
  - pycdlib
  - qemu-img on the managed host
'''

EXAMPLES = r'''
- name: Deploy it
  cloudmgmt.dmtf.ovf_deploy:
    src: /srv/appliances/fw-3.1.ova
    name: fw-01
    pool: default
    networks:
      "VM Network": br-mgmt
      "Inside": isolated-inside
    deployment_option: medium
    properties:
      hostname: fw-01
      admin_password: "{{ vault_fw_password }}"
    accept_eula: true
    manifest: require
    state: running

- name: Deploy a cloud-init guest, reachable by SSH on 127.0.0.1:2222, under emulation
  cloudmgmt.dmtf.ovf_deploy:
    src: /srv/appliances/debian-guest.ova
    name: guest-01
    pool: default
    properties:
      hostname: guest-01
      public-keys: "{{ lookup('file', '~/.ssh/id_ed25519.pub') }}"
    forward_ports:
      - host_port: 2222
        guest_port: 22
    domain_type: qemu
    state: running

- name: Remove it and the volumes it created
  cloudmgmt.dmtf.ovf_deploy:
    name: fw-01
    pool: default
    state: absent
'''

RETURN = r'''
domain:
  description: The domain (name, uuid, state, type); null in check mode before creation or
    after removal.
  returned: always
  type: dict
volumes:
  description: Volumes created (or that would be) in the pool, or removed with O(state=absent).
  returned: always
  type: list
  elements: str
plan:
  description: What the deployment is made of (deployment option, cpus, memory, firmware, NICs,
    volumes with formats and sizes, whether an environment ISO is attached, property values with
    passwords hidden, C(forward_ports) and C(domain_type) as given). For a vApp, C(vapp),
    C(collection), all C(volumes), and C(systems) with one such plan per system (plus its name,
    system id and startup entry).
  returned: when state is not absent
  type: dict
systems:
  description: For a vApp, one result per system in start order (system, name, domain, volumes,
    changed, changed_options, applied_options, actions, startup); RV(domain) is then null.
  returned: for a vApp
  type: list
  elements: dict
events:
  description: For a vApp, every start and stop done (or, in check mode, that would be done), in
    order, with system, domain, action, order and time (epoch seconds, null in check mode).
  returned: for a vApp
  type: list
  elements: dict
  sample: [{"system": "db", "domain": "shop-db", "action": "start", "order": 1, "time": 1765130000.5}]
changed_options:
  description: Options that differ from those recorded on the existing domain.
  returned: always
  type: list
  elements: str
applied_options:
  description: The subset of RV(changed_options) that was applied.
  returned: always
  type: list
  elements: str
cadf:
  description: Hint for the cadf audit callback.
  returned: always
  type: dict
  sample: {"typeURI": "compute/machine", "id": "4f1c...", "name": "fw-01"}
error_code:
  description: Stable code of the refusal when the task fails.
  returned: failure
  type: str
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import deploy, environment, xmlsafe
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DeployError, OvfError


def run(module):
    """Map the options to a plan, let the deployer ensure it, and return (result, warnings)."""
    params = dict(module.params)
    params['max_disk_size'] = params['max_disk_size'] or None
    deployer = deploy.Deployer(params, module.check_mode)
    plan = None
    if params['state'] != 'absent':
        if not params['src']:
            raise DeployError('src is required unless state=absent', 'missing_src')
        plan = deploy.build_plan(params)
        for prop, value in plan.values:
            if prop.password and value:
                module.no_log_values.add(value)
    outcome = deployer.ensure(plan, params['state'])
    return outcome.as_result(), outcome.warnings


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type='path'),
            name=dict(type='str', required=True),
            uri=dict(type='str', default='qemu:///system'),
            pool=dict(type='str', default='default'),
            networks=dict(type='dict', default={}),
            properties=dict(type='dict', default={}),
            deployment_option=dict(type='str'),
            accept_eula=dict(type='bool', default=False),
            disk_format=dict(type='str', default='qcow2', choices=['qcow2', 'raw']),
            max_disk_size=dict(type='int', default=0),
            manifest=dict(type='str', default='warn', choices=['ignore', 'warn', 'require']),
            trusted_certs=dict(type='list', elements='path'),
            cpus=dict(type='int'),
            memory=dict(type='int'),
            firmware=dict(type='str', choices=['bios', 'efi']),
            nic_model=dict(type='str', choices=['virtio', 'e1000', 'e1000e', 'rtl8139', 'vmxnet3']),
            disk_bus=dict(type='str', choices=['virtio', 'scsi', 'sata', 'ide']),
            preserve_mac=dict(type='bool', default=False),
            forward_ports=dict(type='list', elements='dict', default=[], options=dict(
                host_port=dict(type='int', required=True),
                guest_port=dict(type='int', required=True))),
            domain_type=dict(type='str', default='auto', choices=['auto', 'kvm', 'qemu']),
            state=dict(type='str', default='running',
                       choices=['present', 'running', 'stopped', 'absent']),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=120),
        ),
        required_if=[('state', 'present', ['src']), ('state', 'running', ['src']),
                     ('state', 'stopped', ['src'])],
        supports_check_mode=True,
    )
    if xmlsafe.etree is None:
        module.fail_json(msg=missing_required_lib('lxml'), exception=xmlsafe.LXML_IMPORT_ERROR)
    if deploy.libvirt is None:
        module.fail_json(msg=missing_required_lib('libvirt-python'),
                         exception=deploy.LIBVIRT_IMPORT_ERROR)
    if environment.pycdlib is None:
        module.fail_json(msg=missing_required_lib('pycdlib'),
                         exception=environment.PYCDLIB_IMPORT_ERROR)
    try:
        result, warnings = run(module)
    except OvfError as exc:
        module.fail_json(msg=exc.message, error_code=exc.code)
    except deploy.libvirt.libvirtError as exc:
        module.fail_json(msg='libvirt error: %s' % exc.get_error_message(), error_code='libvirt')
    for warning in warnings:
        module.warn(warning)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
