# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Options shared by ovf_info and ovf_deploy: where the appliance is and how it is verified.
    DOCUMENTATION = r'''
options:
  src:
    description:
      - Path on the managed host to an C(.ova) file (an uncompressed tar archive) or to an
        C(.ovf) descriptor with its files beside it.
      - The OVA is never extracted; members are read in place.
    type: path
    required: true
  manifest:
    description:
      - What to do with the manifest (C(.mf)) and certificate (C(.cert)).
      - A manifest that is present must list the descriptor and every file the descriptor
        references (DSP0243); an incomplete manifest always fails, except with C(ignore), since an
        unlisted file could be swapped while the manifest still verifies.
      - C(require) also fails when there is no manifest.
      - C(warn) verifies a manifest when there is one and only warns when there is none.
      - C(ignore) skips manifest and certificate checks.
      - A digest that does not match always fails, except with C(ignore).
    type: str
    choices: [ignore, warn, require]
    default: warn
  trusted_certs:
    description:
      - Paths on the managed host to PEM files with the CA certificates trusted to sign appliances.
      - When given, the package must carry a C(.cert) whose signature over the manifest is valid
        and whose signer chains to one of these CAs.
      - Without it a certificate is only checked for a valid signature and reported as untrusted.
    type: list
    elements: path
requirements:
  - lxml
  - cryptography (for certificates)
notes:
  - Descriptors with a DOCTYPE, entity declarations, unsafe archive members (links, devices,
    sparse, duplicate, absolute or C(..) names) are refused.
  - References whose C(ovf:href) is a URL (C(http://), C(https://), C(file:)) are refused with
    C(error_code=url_reference); only files inside the package are read, nothing is downloaded.
'''
