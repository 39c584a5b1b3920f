#!/usr/bin/env bash
# Idempotent set-up of a fresh machine for this project: system packages, the
# pinned virtualenv, the collection where ansible finds it, and the offline pip
# bootstrap that ansible-test needs. Safe to run again; it skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
PY=${PYTHON:-python3}

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# 1. bindep, in the virtualenv, to read the bindep files (the system Python may lack pip).
[ -x "$VENV/bin/python" ] || { say "creating $VENV"; "$PY" -m venv "$VENV"; }
[ -x "$VENV/bin/bindep" ] || "$VENV/bin/python" -m pip install -q -c constraints.txt bindep

# 2. System packages, with apt (Debian names): the collection's own (bindep.txt) in the profiles
#    this machine needs (it builds wheels from source when it must, and it is also the tests' KVM
#    host, with libvirt-python built in a virtualenv), then this project's development and test
#    tools (test-bindep.txt).
collection_pkgs=$("$VENV/bin/bindep" -l newline -f bindep.txt compile kvm-host-compile)
project_pkgs=$("$VENV/bin/bindep" -l newline -f test-bindep.txt)
missing=()
for pkg in $collection_pkgs $project_pkgs; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 3. The pinned Python packages; re-installed only when a requirements file changes.
stamp=$VENV/.requirements.sha256
want=$(cat requirements.txt kvm-host-requirements.txt constraints.txt test-requirements.txt \
  provider/pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing Python packages into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip==24.2
  "$VENV/bin/python" -m pip install -q -c constraints.txt -r test-requirements.txt
  "$VENV/bin/python" -m pip install -q -c constraints.txt -e provider/
  echo "$want" > "$stamp"
fi

# 4. The collection where ansible finds it: this checkout, linked into the
#    project-local collections path (used by make targets), the user's default,
#    and the virtualenv's site-packages, where the provider imports it as the
#    Python dependency it is (ansible-core also looks for collections there).
purelib=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
for base in "$ROOT/.collections" "$HOME/.ansible/collections" "$purelib"; do
  mkdir -p "$base/ansible_collections/cloudmgmt"
  ln -sfn "$ROOT" "$base/ansible_collections/cloudmgmt/dmtf"
done

# 5. ansible-test's pip bootstrap, pre-seeded because its download host is unreachable.
pipver=$("$VENV/bin/python" - <<'PYEOF'
import re, pathlib, ansible_test
src = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
print(re.search(r"pip='([0-9.]+)'", src.read_text()).group(1))
PYEOF
)
mkdir -p "$HOME/.ansible/test/cache"
install -m 0644 tools/get_pip_offline.py "$HOME/.ansible/test/cache/get_pip_${pipver//./_}.py"

# 6. Device permissions udev would set on a normal host, then the host check.
tools/kvm_permissions.sh
tools/doctor.sh --quiet
say "ready: $VENV, collection linked at ~/.ansible/collections/ansible_collections/cloudmgmt/dmtf"
