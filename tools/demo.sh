#!/usr/bin/env bash
# make demo: the whole collection as one story, in six numbered steps and a summary.
#   1 a raw CIMI session        2 the fleet playbooks      3 the dynamic inventory graph
#   4 an OVA built, inspected, deployed, its environment read back
#   5 the CADF audit trail of every playbook, verified, and a tampered copy rejected
#   6 teardown, and a check that nothing is left in libvirt
# Runs on the libvirt backend (qemu:///system: the provider's objects named <stem><random>-,
# the appliance's demo-ova-<random>) when libvirtd answers, else on the memory backend with a
# NOTICE (the appliance is then only inspected). DEMO_BACKEND=memory forces memory.
# DEMO_APPLIANCE_PASSWORD sets the appliance's password property (random by default); it is
# never printed. Exits non-zero, with the provider log, when any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tools/cimi_provider.sh
. tools/cimi_provider.sh
ROOT=$PWD
PY=$ROOT/.venv/bin/python
URI=qemu:///system
export PATH=$ROOT/.venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$ROOT/.collections}
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_NOCOLOR=1
started=$(date +%s)
work=$(mktemp -d)
tag=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
fleet=$ROOT/example-fleet.yml
fleet_name=$(sed -n 's/^cimi_fleet_name: *//p' "$fleet")
ova_name=demo-ova-$tag                      # the appliance's domain, and prefix of its pool/network
ova_pool_dir=/var/lib/libvirt/images/$ova_name
audit=$work/audit.jsonl
audit_key=$work/audit.key
DEMO_APPLIANCE_PASSWORD=${DEMO_APPLIANCE_PASSWORD:-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}
export DEMO_APPLIANCE_PASSWORD
step_no=0
provider_prefix="" provider_pool_dir=""
summary=()

step() { step_no=$((step_no + 1)); printf '\n== Step %d/6: %s\n' "$step_no" "$*"; }
virsh_q() { virsh -q -c "$URI" "$@"; }

# play NAME ARGS...: ansible-playbook ARGS with the CADF callback on, full output in $work/NAME.log
# (printed whole when the run fails).
play() {
  local log=$work/$1.log
  shift
  if ! ANSIBLE_CALLBACKS_ENABLED=cloudmgmt.dmtf.cadf ANSIBLE_CALLBACK_CADF_PATH=$audit \
      ANSIBLE_CALLBACK_CADF_SIGNING_KEY_FILE=$audit_key ansible-playbook "$@" >"$log" 2>&1; then
    cat "$log"
    return 1
  fi
}
recap() { sed -n '/PLAY RECAP/,$p' "$work/$1.log" | grep -v '^$'; }
# Debug messages of a play log, without Ansible's task banners.
messages() { sed -n '/=> {/,/^}/p' "$work/$1.log" | grep -vE '^(ok|changed|skipping): |^}$' || true; }

# Names of libvirt domains, networks, pools and pool volumes starting with any PREFIX given.
libvirt_leftovers() {
  local prefix pool
  for prefix in "$@"; do
    virsh_q list --all --name | grep "^$prefix" | sed 's/^/domain /' || true
    virsh_q net-list --all --name | grep "^$prefix" | sed 's/^/network /' || true
    virsh_q pool-list --all --name | grep "^$prefix" | sed 's/^/pool /' || true
    for pool in $(virsh_q pool-list --name); do  # other users' pools may go meanwhile
      { virsh_q vol-list "$pool" 2>/dev/null || true; } | awk -v p="$prefix" 'index($1, p) == 1 {print "volume " $1}'
    done
  done
}

# shellcheck disable=SC2317  # called through the EXIT trap
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "== demo FAILED in step $step_no ($backend backend); provider log:"
    cat "$work/provider/provider.log" 2>/dev/null || true
  fi
  cimi_provider_stop
  if [ "$backend" = libvirt ]; then cimi_libvirt_cleanup "$ova_name" "$ova_pool_dir"; fi
  rm -rf "$work"
  exit "$rc"
}

backend=memory
if [ "${DEMO_BACKEND:-auto}" != memory ] && tools/libvirtd.sh >/dev/null 2>&1 \
    && "$PY" -c "import libvirt" 2>/dev/null; then
  backend=libvirt
fi
trap on_exit EXIT
mkdir -p "$work/provider"
( umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$audit_key" )  # HMAC key for digests

if [ "$backend" = libvirt ]; then
  echo "== starting cimi-provider (libvirt backend on $URI; images debian-12 and cirros seeded)"
  CIMI_LIBVIRT_PREFIX_STEM=demo cimi_provider_start "$ROOT" "$work/provider" libvirt
  provider_prefix=$CIMI_LIBVIRT_RUN_PREFIX provider_pool_dir=$CIMI_LIBVIRT_RUN_POOL
  echo "   libvirt objects of the provider: $provider_prefix*, of the appliance: $ova_name*"
else
  echo "!! NOTICE: libvirtd does not answer on $URI (or DEMO_BACKEND=memory):"
  echo "!! NOTICE: running on the MEMORY backend: machines are simulated, the appliance is not deployed"
  cimi_provider_start "$ROOT" "$work/provider" memory
fi

step "a raw CIMI session (tools/demo_session.py: discover, create, start, stop, delete)"
session_args=()
if [ "$backend" = libvirt ]; then
  session_args=(--force-stop --after-start "virsh -q -c $URI list --all | grep -F ' $provider_prefix'")
fi
"$PY" tools/demo_session.py "$CIMI_ENDPOINT" "${session_args[@]}"
summary+=("1 raw CIMI session: machine demo-web1 created, started, stopped and deleted over HTTP")

step "the fleet playbooks: playbooks/demo.yml, then cloudmgmt.dmtf.provision -e @example-fleet.yml"
echo "-- playbooks/demo.yml: network, volume and two machines, module by module, then removed"
play demo playbooks/demo.yml
messages demo
recap demo
echo "-- ansible-playbook cloudmgmt.dmtf.provision -e @example-fleet.yml"
play provision cloudmgmt.dmtf.provision -e @"$fleet"
recap provision
echo "-- the same again: nothing to change"
play provision-again cloudmgmt.dmtf.provision -e @"$fleet"
recap provision-again
grep -qE '^localhost .* changed=0 ' "$work/provision-again.log" \
  || { echo "the second provision changed something"; exit 1; }
summary+=("2 fleet $fleet_name provisioned through the cimi_fleet role; a second run changed nothing")

step "the dynamic inventory: ansible-inventory -i fleet.cimi.yml --graph (plugin cloudmgmt.dmtf.cimi)"
printf 'plugin: cloudmgmt.dmtf.cimi\nproperties:\n  fleet: %s\n' "$fleet_name" >"$work/fleet.cimi.yml"
ansible-inventory -i "$work/fleet.cimi.yml" --graph
ansible-inventory -i "$work/fleet.cimi.yml" --list >"$work/inventory.json"
inventory_counts=$("$PY" - "$work/inventory.json" <<'PYEOF'
import json, sys
inv = json.load(open(sys.argv[1]))
groups = [g for g in inv if g not in ("_meta", "all", "ungrouped")]
print(f"{len(inv['_meta']['hostvars'])} machines in {len(groups)} groups")
PYEOF
)
echo "   $inventory_counts"
summary+=("3 inventory of fleet $fleet_name: $inventory_counts")

step "an OVA appliance: built here, inspected (ovf_info), deployed (ovf_deploy), environment read back"
"$PY" tools/demo_ova.py build "$work/$ova_name.ova"
appliance_vars=(-e "demo_appliance_src=$work/$ova_name.ova" -e "demo_appliance_name=$ova_name"
                -e "demo_appliance_pool=$ova_name-pool" -e "demo_appliance_network=$ova_name-net")
if [ "$backend" = libvirt ]; then
  echo "-- a directory pool $ova_name-pool and an isolated network $ova_name-net (no <forward>)"
  mkdir -p "$ova_pool_dir"
  virsh_q pool-create-as "$ova_name-pool" dir --target "$ova_pool_dir" >/dev/null
  printf '<network><name>%s</name><bridge name="vd%s"/></network>\n' "$ova_name-net" "$tag" \
    >"$work/ova-net.xml"
  virsh_q net-create "$work/ova-net.xml" >/dev/null
  play appliance tools/demo/appliance.yml "${appliance_vars[@]}"
  messages appliance
  recap appliance
  iso=$(virsh_q dumpxml "$ova_name" | "$PY" -c '
import sys, xml.etree.ElementTree as ET
print(ET.fromstring(sys.stdin.read()).find("devices/disk[@device=\"cdrom\"]/source").get("file"))')
  echo "-- the environment ISO attached to domain $ova_name (virsh dumpxml), read with pycdlib"
  "$PY" tools/demo_ova.py read-env "$iso" --expect "hostname=$ova_name" --expect port=8443 \
    --secret admin_password
  summary+=("4 appliance $ova_name: OVA built (SHA256 manifest), inspected, deployed on $URI;"
            "  hostname, port and admin_password read back from its ovf-env.xml ISO")
else
  echo "!! NOTICE: memory backend: the appliance is inspected, not deployed"
  play appliance tools/demo/appliance.yml "${appliance_vars[@]}" -e demo_appliance_deploy=false
  messages appliance
  summary+=("4 appliance $ova_name: OVA built and inspected (not deployed: memory backend)")
fi

step "the CADF audit trail of the demo's playbooks: count, verify, tamper, verify again"
"$PY" tools/demo_audit.py count "$audit"
verify() {  # verify NAME TRAIL: cloudmgmt.dmtf.verify_audit (cadf_verify), not itself audited
  ansible-playbook playbooks/verify_audit.yml -e "cadf_trail=$2" -e "cadf_digest_path=$2.digest" \
    -e "cadf_key_file=$audit_key" >"$work/$1.log" 2>&1
}
verdict() {
  grep -E '"(verdict|records|digests|problems): |"  - ' "$work/$1.log" | sed -E 's/^ *"(.*)",?$/   \1/'
}
echo "-- cadf_verify (playbooks/verify_audit.yml) on the trail, with the HMAC key of its digests"
verify verify "$audit" || { cat "$work/verify.log"; echo "cadf_verify rejected the real trail"; exit 1; }
verdict verify
echo "   cadf_verify: the trail is intact"
"$PY" tools/demo_audit.py tamper "$audit" "$work/tampered.jsonl"
echo "-- cadf_verify on the tampered copy"
if verify tampered "$work/tampered.jsonl"; then
  cat "$work/tampered.log"
  echo "cadf_verify ACCEPTED the tampered copy"
  exit 1
fi
verdict tampered
echo "   cadf_verify: the tampered copy is rejected"
records_before_teardown=$(grep -c . "$audit")

step "teardown: fleet and appliance removed, provider stopped, libvirt checked empty"
play teardown cloudmgmt.dmtf.teardown -e @"$fleet"
recap teardown
if [ "$backend" = libvirt ]; then
  play appliance-absent tools/demo/appliance.yml "${appliance_vars[@]}" -e demo_appliance_state=absent
  recap appliance-absent
  # The provider's own pool and image volumes stay until it stops.
  left=$(libvirt_leftovers "$provider_prefix" \
         | grep -v -e "^volume ${provider_prefix}i-" -e "^pool ${provider_prefix}pool *$" || true)
  if [ -n "$left" ]; then
    echo "teardown left these behind:"; echo "$left"; exit 1
  fi
  echo "   the playbooks removed every machine, volume and network (images and pool stay with the provider)"
  virsh_q net-destroy "$ova_name-net" >/dev/null
  virsh_q pool-destroy "$ova_name-pool" >/dev/null
  rmdir "$ova_pool_dir" || { echo "the appliance left files in $ova_pool_dir"; ls -l "$ova_pool_dir"; exit 1; }
fi
cimi_provider_stop
if [ "$backend" = libvirt ]; then
  left=$(libvirt_leftovers "$provider_prefix" "$ova_name"
         ls -d "$ova_pool_dir" "$provider_pool_dir" "$provider_pool_dir.src" 2>/dev/null || true)
  if [ -n "$left" ]; then
    echo "left behind in libvirt:"; echo "$left"; exit 1
  fi
  echo "   virsh: no domain, volume, pool or network named $provider_prefix* or $ova_name*;"
  echo "   the pool directories are gone"
  echo "   nothing left in libvirt"
fi
verify verify-final "$audit" || { cat "$work/verify-final.log"; echo "the final trail is not intact"; exit 1; }
records=$(grep -c . "$audit")
summary+=("5 audit trail: $records_before_teardown records verified by cadf_verify (HMAC-signed digests);"
          "  a copy with one byte changed rejected; with the teardown $records records, still intact")
if [ "$backend" = libvirt ]; then
  summary+=("6 teardown: fleet and appliance removed by their playbooks, nothing left in libvirt")
else
  summary+=("6 teardown: fleet removed by its playbook (memory backend: libvirt not checked)")
fi

elapsed=$(( $(date +%s) - started ))
printf '\n== Summary\n'
printf '   %s\n' "${summary[@]}"
printf '   time: %dm%02ds\n' $((elapsed / 60)) $((elapsed % 60))
echo "== demo OK ($backend backend)"
