# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manifest (``.mf``) parsing and digest checks.

Both line styles are read: ``SHA256(file)= hex`` (DSP0243) and the coreutils
``--tag`` form ``SHA256 (file) = hex``; also OpenSSL 3's ``SHA2-256``, CRLF
line ends, and an entry for the manifest itself (ignored).
"""

from __future__ import annotations

import hashlib
import re

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import ManifestError

POLICIES = ('ignore', 'warn', 'require')
_ALGORITHMS = {'SHA1': 'sha1', 'SHA256': 'sha256', 'SHA512': 'sha512', 'SHA384': 'sha384',
               'SHA2-256': 'sha256', 'SHA2-512': 'sha512', 'SHA2-384': 'sha384'}
_LINE = re.compile(r'^(SHA1|SHA256|SHA384|SHA512|SHA2-256|SHA2-384|SHA2-512)\s*\((.+)\)\s*=\s*'
                   r'([0-9a-fA-F]+)$')


class Manifest:
    def __init__(self, name, entries, warnings):
        self.name = name
        self.entries = entries
        self.warnings = warnings

    @property
    def algorithms(self):
        return sorted(set(alg for alg, _digest in self.entries.values()))


def parse_manifest(data, name):
    """Parse manifest bytes into ``{file: (hashlib name, lower-case hex)}``."""
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        raise ManifestError('manifest %s is not UTF-8 text' % name, 'bad_manifest')
    entries, warnings = {}, []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        match = _LINE.match(line)
        if not match:
            raise ManifestError('manifest %s line %d is not "ALG(file)= digest"' % (name, number),
                                'bad_manifest')
        algorithm = _ALGORITHMS[match.group(1)]
        filename, digest = match.group(2).strip(), match.group(3).lower()
        if ' (' in match.group(0)[:len(match.group(1)) + 2] or match.group(1).startswith('SHA2-'):
            warnings.append('manifest %s uses a non-standard line form (%s); accepted'
                            % (name, match.group(1)))
        if len(digest) != hashlib.new(algorithm).digest_size * 2:
            raise ManifestError('manifest %s line %d: digest length does not fit %s'
                                % (name, number, match.group(1)), 'bad_manifest')
        if filename == name:
            continue
        if filename in entries:
            raise ManifestError('manifest %s lists %s twice' % (name, filename), 'bad_manifest')
        entries[filename] = (algorithm, digest)
    if not entries:
        raise ManifestError('manifest %s lists no files' % name, 'bad_manifest')
    return Manifest(name, entries, sorted(set(warnings)))


def merge_manifests(manifests):
    """One manifest per file (as virt-v2v's tests build OVAs): their union, or refuse conflicts."""
    entries, warnings = {}, []
    for manifest in manifests:
        warnings.extend(manifest.warnings)
        for name, entry in manifest.entries.items():
            if name in entries and entries[name] != entry:
                raise ManifestError('manifests disagree about %s (%s)' % (name, manifest.name),
                                    'manifest_conflict')
            entries[name] = entry
    return Manifest(', '.join(m.name for m in manifests), entries, sorted(set(warnings)))


def digest_member(package, member, algorithm):
    digest = hashlib.new(algorithm)
    for block in package.iter_bytes(member):
        digest.update(block)
    return digest.hexdigest()


class ManifestCheck:
    """Decides, per policy, which files need which digest, and records the outcome."""

    def __init__(self, package, policy):
        if policy not in POLICIES:
            raise ManifestError('manifest policy must be one of %s' % ', '.join(POLICIES),
                                'bad_policy')
        self.package = package
        self.policy = policy
        self.manifest = None
        self.mf_bytes = None
        self.verified = []
        self.warnings = []
        self.uncovered = []
        self.absent_files = []
        if policy == 'ignore':
            return
        self.mf_bytes = package.read_manifest()
        if self.mf_bytes is None:
            if policy == 'require':
                raise ManifestError('the package has no manifest (.mf) and the manifest policy '
                                    'is "require"', 'no_manifest')
            self.warnings.append('the package has no manifest; file integrity is not verified')
            return
        if len(package.manifest_names) > 1:
            self.manifest = merge_manifests([parse_manifest(data, name) for name, data
                                             in sorted(package.read_manifests().items())])
        else:
            self.manifest = parse_manifest(self.mf_bytes, package.manifest_name)
        self.warnings.extend(self.manifest.warnings)
        for name in sorted(self.manifest.entries):
            if not package.has(name):
                self.absent_files.append(name)
                self.warnings.append('the manifest lists %s, which is not in the package' % name)

    def require_coverage(self, referenced):
        """A present manifest must list the descriptor and every referenced file (DSP0243), under
        'warn' too: a file it leaves out could be swapped while the manifest still verifies.
        'warn' only tolerates a package without any manifest."""
        if self.manifest is None:
            return
        wanted = [self.package.descriptor_name] + list(referenced)
        self.uncovered = [n for n in wanted if n not in self.manifest.entries]
        if self.uncovered:
            raise ManifestError('the manifest %s does not list %s; every file the descriptor references '
                                'must be listed, so the package is refused'
                                % (self.package.manifest_name, ', '.join(self.uncovered)),
                                'manifest_incomplete')

    def expected(self, name):
        if self.manifest is None:
            return None
        return self.manifest.entries.get(name)

    def record(self, name, actual_hex):
        """Compare a computed digest; raise on mismatch."""
        algorithm, digest = self.expected(name)
        if actual_hex.lower() != digest:
            raise ManifestError('%s digest (%s) does not match the manifest' % (name, algorithm),
                                'digest_mismatch')
        self.verified.append(name)

    def verify_member(self, name):
        entry = self.expected(name)
        if entry is None:
            return
        self.record(name, digest_member(self.package, self.package.member(name), entry[0]))

    def status(self):
        if self.policy == 'ignore':
            state = 'skipped'
        elif self.manifest is None:
            state = 'absent'
        else:
            state = 'verified'
        return {'policy': self.policy, 'present': self.manifest is not None,
                'name': self.package.manifest_name, 'names': list(self.package.manifest_names),
                'status': state,
                'algorithms': self.manifest.algorithms if self.manifest else [],
                'verified': sorted(self.verified), 'uncovered': self.uncovered,
                'listed_but_absent': self.absent_files}
