# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificate (``.cert``) checks: signature over the manifest bytes, chain to trusted CAs.

A ``.cert`` holds ``ALG(name.mf)= <hex signature>`` then PEM certificates (the
signer first). A self-signed or unanchored certificate proves nothing, so trust
needs CA certificates given by the user.
"""

from __future__ import annotations

import datetime
import re
import traceback

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import CertificateError

CRYPTOGRAPHY_IMPORT_ERROR = None
try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
except ImportError:  # pragma: no cover - reported by the modules
    x509 = None
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()

_SIGNATURE = re.compile(r'^(SHA1|SHA256|SHA384|SHA512)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)\s*$')
_PEM = re.compile(b'-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----', re.S)
MAX_CHAIN = 6


def _hash(name):
    return {'SHA1': hashes.SHA1, 'SHA256': hashes.SHA256, 'SHA384': hashes.SHA384,
            'SHA512': hashes.SHA512}[name]()


def load_pem_certificates(data, what):
    found = _PEM.findall(data)
    if not found:
        raise CertificateError('%s holds no PEM certificate' % what, 'bad_certificate')
    certs = []
    for block in found:
        try:
            certs.append(x509.load_pem_x509_certificate(block))
        except ValueError:
            raise CertificateError('%s holds an unreadable certificate' % what, 'bad_certificate')
    return certs


def _verify_signature(public_key, signature, data, algorithm):
    if isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(algorithm))
    else:
        raise CertificateError('the signing key type is not supported', 'unsupported_key')


def _valid_now(cert, now):
    try:
        start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    except AttributeError:  # cryptography < 42
        start = cert.not_valid_before.replace(tzinfo=datetime.timezone.utc)
        end = cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return start <= now <= end


def _is_ca(cert):
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _issued_by(cert, issuer):
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
        return True
    except (ValueError, TypeError, InvalidSignature):
        return False


def verify_chain(leaf, intermediates, anchors, now=None):
    """Walk from ``leaf`` to one of ``anchors``; raise CertificateError otherwise."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    current = leaf
    for _depth in range(MAX_CHAIN):
        if not _valid_now(current, now):
            raise CertificateError('certificate %s is expired or not yet valid'
                                   % current.subject.rfc4514_string(), 'cert_expired')
        for anchor in anchors:
            if current == anchor or _issued_by(current, anchor):
                if not _valid_now(anchor, now):
                    raise CertificateError('the trusted CA %s is expired'
                                           % anchor.subject.rfc4514_string(), 'cert_expired')
                return anchor
        parents = [c for c in intermediates if c != current and _is_ca(c) and _issued_by(current, c)]
        if not parents:
            break
        current = parents[0]
    raise CertificateError('the signing certificate %s does not chain to a trusted CA'
                           % leaf.subject.rfc4514_string(), 'untrusted_certificate')


def check_certificate(cert_bytes, cert_name, mf_bytes, mf_name, trusted_pem=None):
    """Check the signature over the manifest; with ``trusted_pem``, also the chain.

    Returns a status dict. Raises CertificateError on a bad signature or chain.
    """
    if x509 is None:
        raise CertificateError('the cryptography Python library is required to check '
                               'certificates', 'missing_cryptography')
    if mf_bytes is None:
        raise CertificateError('%s signs a manifest, but the package has none' % cert_name,
                               'no_manifest')
    try:
        first = cert_bytes.split(b'\n', 1)[0].decode('ascii').strip()
    except UnicodeDecodeError:
        first = ''
    match = _SIGNATURE.match(first)
    if not match:
        raise CertificateError('%s does not start with "ALG(manifest)= signature"' % cert_name,
                               'bad_certificate')
    if match.group(2).strip() != mf_name:
        raise CertificateError('%s signs %s, not the manifest %s'
                               % (cert_name, match.group(2).strip(), mf_name), 'bad_certificate')
    certs = load_pem_certificates(cert_bytes, cert_name)
    leaf = certs[0]
    try:
        _verify_signature(leaf.public_key(), bytes.fromhex(match.group(3)), mf_bytes,
                          _hash(match.group(1)))
    except InvalidSignature:
        raise CertificateError('the signature in %s does not match the manifest' % cert_name,
                               'bad_signature')
    status = {'present': True, 'name': cert_name, 'signature': 'valid',
              'subject': leaf.subject.rfc4514_string(), 'issuer': leaf.issuer.rfc4514_string(),
              'trusted': False}
    if trusted_pem:
        anchors = []
        for label, data in trusted_pem:
            anchors.extend(load_pem_certificates(data, label))
        anchor = verify_chain(leaf, certs[1:], anchors)
        status['trusted'] = True
        status['anchor'] = anchor.subject.rfc4514_string()
    return status
