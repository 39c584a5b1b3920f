#!/usr/bin/env bash
# Build the collection's HTML docsite offline into .build/docs/build/html, failing on any error:
# plugin docs generated from the code (antsibull-docs --fail-on-error), the guides under
# docs/docsite/, Sphinx with warnings as errors. Lints the docs first.
# Offline: intersphinx is emptied and every HTTP(S) request goes to a dead proxy, so a step that
# tries the network fails instead of silently reaching out.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=$ROOT/.venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$ROOT/.collections}
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
export no_proxy='' NO_PROXY=''
dest=$ROOT/.build/docs

echo "== antsibull-docs lint-collection-docs --plugin-docs"
(cd "$ANSIBLE_COLLECTIONS_PATH/ansible_collections/cloudmgmt/dmtf" && antsibull-docs lint-collection-docs --plugin-docs .)

rm -rf "$dest"
mkdir -p "$dest"
chmod 700 "$dest"   # antsibull-docs wants a directory only its owner can write
# sphinx_ansible_theme and sphinx_antsibull_ext are not installable here: alabaster (bundled with
# Sphinx) and the stand-in extension below take their place when they are missing.
theme=alabaster
python -c 'import sphinx_ansible_theme' 2>/dev/null && theme=sphinx_ansible_theme
antsibull-docs sphinx-init --use-current --output-format simplified-rst --sphinx-theme "$theme" \
  --dest-dir "$dest" cloudmgmt.dmtf >/dev/null
sed -i 's/--use-current/--use-current --fail-on-error/' "$dest/build.sh"
grep -q -- '--fail-on-error' "$dest/build.sh"
cat >> "$dest/conf.py" <<'PYEOF'

# tools/docs.sh: offline build (no inventories fetched); stand-in extension when the real one is absent.
import importlib.util as _importlib_util
import os as _os
import sys as _sys
intersphinx_mapping = {}
if _importlib_util.find_spec('sphinx_antsibull_ext') is None:
    _sys.path.insert(0, _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), '_ext'))

# Targets in the ansible-core docs that intersphinx would resolve: linked directly instead, so an
# offline build still fails on any other (our own) broken reference.
_ANSIBLE_DOCS = 'https://docs.ansible.com/ansible/latest/'
_ANSIBLE_LABELS = {
    'common_return_values': 'reference_appendices/common_return_values.html',
    'callback_plugins': 'plugins/callback.html',
    'inventory_plugins': 'plugins/inventory.html',
    'ansible_configuration_settings': 'reference_appendices/config.html',
}


def _ansible_core_reference(app, env, node, contnode):
    from docutils import nodes as _nodes
    target, kind = node.get('reftarget', ''), node.get('reftype')
    if kind == 'ref' and target in _ANSIBLE_LABELS:
        uri = _ANSIBLE_DOCS + _ANSIBLE_LABELS[target]
    elif kind == 'envvar' and target.startswith('ANSIBLE_'):
        uri = _ANSIBLE_DOCS + 'reference_appendices/config.html#envvar-' + target
    else:
        return None
    return _nodes.reference('', '', contnode, refuri=uri, internal=False)


def setup(app):
    app.connect('missing-reference', _ansible_core_reference)
PYEOF
mkdir -p "$dest/_ext"
cat > "$dest/_ext/sphinx_antsibull_ext.py" <<'PYEOF'
"""Offline stand-in for sphinx_antsibull_ext (not installable here): every antsibull-docs role
renders its text, every antsibull-docs directive renders its content. Plain, but complete."""
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive, directives, roles

ROLE = re.compile(r':([a-z][a-z0-9-]*):`')
DIRECTIVE = re.compile(r'^\s*\.\. ([a-z][a-z0-9-]*)::', re.M)


def _text_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    if name == 'ansplugin':
        text = text.split('#')[0]
    text = re.sub(r'^(.*?)\s*<[^<>]*>$', r'\1', text) if text.endswith('>') else text
    node = nodes.literal if name.startswith('ans') and not name.startswith('ansible-') else nodes.inline
    return [node(rawtext, text)], []


class _Container(Directive):
    has_content = True
    optional_arguments = 99
    final_argument_whitespace = True
    option_spec = None

    def run(self):
        box = nodes.container()
        if self.arguments:
            box += nodes.paragraph(text=' '.join(self.arguments))
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, box)
        return [box]


class _AnyOptions(dict):
    def __missing__(self, key):
        return directives.unchanged


def _register(app):
    names_r, names_d = set(), set()
    for path in Path(app.srcdir).rglob('*.rst'):
        text = path.read_text(encoding='utf-8')
        names_r.update(ROLE.findall(text))
        names_d.update(DIRECTIVE.findall(text))
    for name in names_r:
        if name.startswith('ans') and name not in roles._roles:
            app.add_role(name, _text_role, override=True)
    for name in names_d:
        if name.startswith('ansible-'):
            cls = type('D', (_Container,), {'option_spec': _AnyOptions()})
            app.add_directive(name, cls, override=True)


def setup(app):
    app.connect('builder-inited', _register)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
PYEOF

echo "== building the docsite in $dest"
"$dest/build.sh"
echo "docsite: $dest/build/html/index.html"
