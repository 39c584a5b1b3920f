#!/usr/bin/env bash
# A short tour for the end of `make demo`: provision example-fleet.yml through the collection's
# playbook against the CIMI endpoint in CIMI_ENDPOINT, show what exists, tear it down, and say
# where to look next. Exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=$ROOT/.venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$ROOT/.collections}
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
: "${CIMI_ENDPOINT:?set CIMI_ENDPOINT to a CIMI Cloud Entry Point, for example http://127.0.0.1:8780/cimi/cloudEntryPoint}"
export CIMI_ENDPOINT
fleet=${TOUR_FLEET:-$ROOT/example-fleet.yml}
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

torn_down=0
on_exit() {
  if [ "$torn_down" -eq 0 ]; then
    echo "tour: tearing the fleet down after a failure" >&2
    ansible-playbook cloudmgmt.dmtf.teardown -e @"$fleet" >/dev/null 2>&1 || true
  fi
}
trap on_exit EXIT

step "provision: ansible-playbook cloudmgmt.dmtf.provision -e @${fleet#"$ROOT"/}   (against $CIMI_ENDPOINT)"
ansible-playbook cloudmgmt.dmtf.provision -e @"$fleet" | sed -n '/PLAY RECAP/,$p'

step "what exists now (the dynamic inventory, machines tagged fleet=$(sed -n 's/^cimi_fleet_name: *//p' "$fleet"))"
inv=$(mktemp -d)
printf 'plugin: cloudmgmt.dmtf.cimi\nproperties:\n  fleet: %s\n' "$(sed -n 's/^cimi_fleet_name: *//p' "$fleet")" > "$inv/tour.cimi.yml"
ansible-inventory -i "$inv/tour.cimi.yml" --graph
python - "$inv/tour.cimi.yml" <<'PYEOF'
import json, subprocess, sys
hosts = json.loads(subprocess.run(['ansible-inventory', '-i', sys.argv[1], '--list'], check=True,
                                  capture_output=True, text=True).stdout)['_meta']['hostvars']
def plain(v):
    return v.get('__ansible_unsafe', v) if isinstance(v, dict) else v
for name in sorted(hosts):
    h = hosts[name]
    print('  %-16s %-8s %s' % (name, plain(h.get('cimi_state')), ', '.join(plain(a) for a in h.get('cimi_addresses', []))))
PYEOF
rm -rf "$inv"

step "idempotent: a second provision changes nothing"
ansible-playbook cloudmgmt.dmtf.provision -e @"$fleet" | grep -E '^localhost'

step "teardown: ansible-playbook cloudmgmt.dmtf.teardown -e @${fleet#"$ROOT"/}"
ansible-playbook cloudmgmt.dmtf.teardown -e @"$fleet" | sed -n '/PLAY RECAP/,$p'
torn_down=1

cat <<'TXT'

Where to look next:
  docs/docsite/rst/getting_started.rst   the same steps by hand (make docs builds the HTML site)
  example-fleet.yml                      the fleet; edit counts and run provision again
  roles/cimi_fleet/README.md             the fleet role; roles/ovf_appliance, roles/cimi_provider
  playbooks/                             provision, teardown, deploy_appliance, verify_audit
  ansible-doc cloudmgmt.dmtf.cimi_machine   (and the other modules)
  docs/security.md, docs/performance.md
TXT
