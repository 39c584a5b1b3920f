# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource kinds, shared option specs and views used by several CIMI modules."""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import ResourceKind, coerce_properties

MACHINE_STABLE = ('STARTED', 'STOPPED', 'PAUSED', 'SUSPENDED')

KINDS = {
    'machine': ResourceKind('machines', 'Machine', 'compute/machine', 'machine',
                            stable_states=MACHINE_STABLE),
    'machine_template': ResourceKind('machineTemplates', 'MachineTemplate', 'compute/machine/template',
                                     'machine_template', label='machine template'),
    'machine_config': ResourceKind('machineConfigs', 'MachineConfiguration', 'compute/machine/configuration',
                                   'machine_config', label='machine configuration',
                                   diff_fields=('name', 'description', 'properties', 'cpu', 'memory',
                                                'cpuArch', 'cpuSpeed', 'disks')),
    'machine_image': ResourceKind('machineImages', 'MachineImage', 'compute/machine/image', 'machine_image',
                                  label='machine image', stable_states=('AVAILABLE',),
                                  diff_fields=('name', 'description', 'properties', 'state', 'imageLocation')),
    'credential': ResourceKind('credentials', 'Credential', 'data/security/credential', 'credential',
                               diff_fields=('name', 'description', 'properties', 'userName')),
    # Deltacloud and osaddon report attached volumes as IN-USE/INUSE: settled, not an error.
    'volume': ResourceKind('volumes', 'Volume', 'storage/volume', 'volume',
                           stable_states=('AVAILABLE', 'IN-USE', 'INUSE', 'IN_USE'),
                           diff_fields=('name', 'description', 'properties', 'state', 'capacity', 'attachment')),
    'network': ResourceKind('networks', 'Network', 'network', 'network', stable_states=('STARTED', 'STOPPED')),
    'system_template': ResourceKind('systemTemplates', 'SystemTemplate', 'compute/system/template',
                                    'system_template', label='system template'),
    'job': ResourceKind('jobs', 'Job', 'compute/job', 'job'),
    'volume_config': ResourceKind('volumeConfigs', 'VolumeConfiguration', 'storage/volume/configuration', 'volume_config',
                                  label='volume configuration',
                                  diff_fields=('name', 'description', 'properties', 'capacity', 'format', 'type')),
    'volume_image': ResourceKind('volumeImages', 'VolumeImage', 'storage/volume/image', 'volume_image',
                                 label='volume image'),
    'volume_template': ResourceKind('volumeTemplates', 'VolumeTemplate', 'storage/volume/template', 'volume_template',
                                    label='volume template',
                                    diff_fields=('name', 'description', 'properties', 'volumeConfig', 'volumeImage')),
    'network_template': ResourceKind('networkTemplates', 'NetworkTemplate', 'network/template', 'network_template',
                                     label='network template',
                                     diff_fields=('name', 'description', 'properties', 'initialState', 'hostAddress')),
    'credential_template': ResourceKind('credentialTemplates', 'CredentialTemplate',
                                        'data/security/credential/template', 'credential_template',
                                        label='credential template',
                                        diff_fields=('name', 'description', 'properties', 'userName', 'key')),
    'system': ResourceKind('systems', 'System', 'compute/system', 'system',
                           stable_states=MACHINE_STABLE + ('MIXED',)),
}


def common_spec(states=('present', 'absent'), default_state='present', waits=True):
    """Options every resource module has."""
    spec = {
        'name': {'type': 'str'},
        'id': {'type': 'str'},
        'description': {'type': 'str'},
        'properties': {'type': 'dict'},
        'purge_properties': {'type': 'bool', 'default': True},
        'state': {'type': 'str', 'default': default_state, 'choices': list(states)},
    }
    if waits:
        spec.update(wait_spec())
    return spec


def wait_spec():
    """The wait options (doc fragment cloudmgmt.dmtf.cimi.wait)."""
    return {'wait': {'type': 'bool', 'default': True}, 'wait_timeout': {'type': 'int', 'default': 600}}


COMMON_KWARGS = {'required_one_of': [('name', 'id')]}


def desired_common(params):
    """The consumer-writable common attributes the user set."""
    desired = {'description': params.get('description'), 'properties': coerce_properties(params.get('properties'))}
    if params.get('id') and params.get('name'):
        desired['name'] = params['name']  # found by id: name may be changed
    return desired


def common_predicted(params):
    """The common attributes the user set: a created resource as check mode predicts it."""
    predicted = dict((k, params[k]) for k in ('name', 'description') if params.get(k) is not None)
    if params.get('properties') is not None:
        predicted['properties'] = coerce_properties(params['properties'])
    return predicted


def base_body(type_name, params):
    body = dict({'resourceURI': compat.type_uri(type_name)}, **common_predicted(params))
    return body


def mib_to_kib(mib):
    return None if mib is None else int(mib) * 1024


def gb_to_kb(gb):
    """Decimal gigabytes to CIMI kilobytes (10^3 bytes)."""
    return None if gb is None else int(round(float(gb) * 1000 * 1000))


def kb_to_gb(kb):
    """CIMI kilobytes (10^3 bytes) to decimal gigabytes, as an int when whole."""
    gb = kb / 1000.0 / 1000.0
    return int(gb) if gb == int(gb) else gb


def require_name_for_create(params, label):
    if not params.get('name'):
        raise CimiError('%s %s does not exist; a name is required to create one' % (label, params.get('id')))


def collection_of(client, resource, key):
    """Items of a sub-collection attribute ({href} or expanded), read fully."""
    value = resource.get(key)
    if isinstance(value, list):
        return value
    if not isinstance(value, dict):
        return []
    items = compat.collection_items(value)
    if items or value.get('count') == 0:
        return items
    href = value.get('href')
    if not href:
        return []
    return client.list(client.resolve(href))


def optional_collection(client, resource, key, warnings):
    """collection_of for a sub-resource only shown in a result: a provider that advertises it
    but fails to serve it (1.x peers answer 404 for networkInterfaces/.../addresses) costs a
    warning, never the task."""
    try:
        return collection_of(client, resource, key)
    except CimiError as exc:
        warnings.append('%s of %s left out: %s' % (key, resource.get('id') or 'the machine', exc))
        return []


def forwarded_port(endpoint):
    """The TCP port forwarded to the guest on a ProtocolEndpoint's address (its ``properties.port``,
    as the reference provider's loopback forwarding reports it), or None."""
    properties = endpoint.get('properties') if isinstance(endpoint, dict) else None
    value = properties.get('port') if isinstance(properties, dict) else None
    try:
        port = int(value)
    except (TypeError, ValueError):
        return None
    return port if 0 < port < 65536 else None


def machine_interfaces(client, machine, warnings):
    """[{network, mac_address, mtu, state, addresses, ports}] for 2.0 interfaces or 1.x
    networkInterfaces; what cannot be read is left out, with a message appended to warnings.
    ``ports``: {address: forwarded port} for the addresses reached through one."""
    key = compat.interfaces_key(machine)
    result = []
    for interface in optional_collection(client, machine, key, warnings):
        if set(interface) <= {'href', 'id'} and (interface.get('href') or interface.get('id')):
            try:
                interface = client.get(client.resolve(interface.get('href') or interface.get('id')))
            except CimiError as exc:
                warnings.append('an interface of %s left out: %s' % (machine.get('id'), exc))
                continue
        addresses, ports = [], {}
        if key == 'interfaces':
            for endpoint in optional_collection(client, interface, 'endpoints', warnings):
                if endpoint.get('address'):
                    addresses.append(endpoint['address'])
                    if forwarded_port(endpoint):
                        ports[endpoint['address']] = forwarded_port(endpoint)
        else:
            for entry in optional_collection(client, interface, 'addresses', warnings):
                address = entry.get('address') if isinstance(entry.get('address'), dict) else entry
                ip = address.get('ip') or address.get('address')
                if ip:
                    addresses.append(ip)
        result.append({'id': interface.get('id'), 'state': interface.get('state'),
                       'network': compat.ref_href(interface.get('network')),
                       'mac_address': interface.get('macAddress'), 'mtu': interface.get('mtu'),
                       'addresses': addresses, 'ports': ports})
    return result
