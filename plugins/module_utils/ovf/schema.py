# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opt-in schema lint against DSP8023 (1.x, 2.x) and DSP8027, offline.

Real exports are often schema-invalid, so this reports problems instead of
refusing a package. ``schema_dir`` holds ``envelope-1/``, ``envelope-2/`` and
``environment-1/`` with the DMTF XSDs; remote ``schemaLocation`` URLs are
mapped to the local copies and the network is never used.
"""

from __future__ import annotations

import os

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import xmlsafe
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DescriptorError

ENTRY_POINTS = {
    'http://schemas.dmtf.org/ovf/envelope/1': ('envelope-1', 'dsp8023_1.1.1.xsd'),
    'http://schemas.dmtf.org/ovf/envelope/2': ('envelope-2', 'dsp8023_2.0.1.xsd'),
    'http://schemas.dmtf.org/ovf/environment/1': ('environment-1', 'dsp8027_1.0.0.xsd'),
}
_CACHE = {}


def _resolver_class():
    class LocalSchemas(xmlsafe.etree.Resolver):
        """Serve every schemaLocation from the local directory, by file name."""

        def __init__(self, directories):
            super().__init__()
            self.directories = directories

        def resolve(self, url, _public_id, context):
            name = url.rsplit('/', 1)[-1]
            for directory in self.directories:
                path = os.path.join(directory, name)
                if os.path.isfile(path):
                    return self.resolve_filename(path, context)
            raise DescriptorError('schema %s is not available offline' % url, 'schema_missing')

    return LocalSchemas


def load_schema(schema_dir, ns):
    if ns not in ENTRY_POINTS:
        raise DescriptorError('no schema for namespace %s' % ns, 'schema_missing')
    key = (schema_dir, ns)
    if key in _CACHE:
        return _CACHE[key]
    sub, entry = ENTRY_POINTS[ns]
    directories = [os.path.join(schema_dir, sub), os.path.join(schema_dir, 'envelope-1')]
    parser = xmlsafe.etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_resolver_class()(directories))
    path = os.path.join(schema_dir, sub, entry)
    if not os.path.isfile(path):
        raise DescriptorError('schema file %s not found' % path, 'schema_missing')
    doc = xmlsafe.etree.parse(path, parser)
    schema = xmlsafe.etree.XMLSchema(doc)
    _CACHE[key] = schema
    return schema


def lint(data, schema_dir, max_errors=50):
    """Validate XML bytes; return ``{'valid': bool, 'schema': name, 'errors': [...]}``."""
    root = xmlsafe.parse(data, 'the document')
    ns = xmlsafe.namespace(root)
    if ns not in ENTRY_POINTS:
        return {'valid': False, 'schema': None,
                'errors': ['no DMTF schema for namespace %r' % ns]}
    schema = load_schema(schema_dir, ns)
    valid = schema.validate(root)
    errors = ['line %d: %s' % (e.line, e.message) for e in list(schema.error_log)[:max_errors]]
    return {'valid': bool(valid), 'schema': ENTRY_POINTS[ns][1], 'errors': errors}
