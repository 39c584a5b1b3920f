# cloudmgmt.dmtf: every target does its own set-up (make setup is idempotent).
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

VENV := $(CURDIR)/.venv
export PATH := $(VENV)/bin:$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.collections
export ANSIBLE_NOCOLOR ?= 1
PYTEST := $(VENV)/bin/python -m pytest

.PHONY: setup doctor libvirt guest-image demo test sanity lint build unit provider-test integration system molecule bench docs provider clean

setup:
	tools/setup.sh

# Host binaries, services and /dev/kvm, each missing one named with its apt package.
doctor:
	tools/doctor.sh

libvirt: setup
	tools/libvirtd.sh

# The bootable Debian guest that end-to-end tests run playbooks on: built once from the Debian
# archive, cached outside the work tree (tools/guest_image.sh), then how it boots here (kvm or
# qemu, tools/guest_accel.sh).
guest-image: setup
	tools/guest_image.sh build
	echo "guest domain type here: $$(tools/guest_accel.sh)"

demo: setup
	tools/demo.sh

# Every gate, in order of cost. CI runs exactly this.
test: setup sanity lint build docs unit provider-test integration system molecule
	@echo "make test: all gates passed"

sanity: setup
	tree=$$(tools/collection_tree.sh)
	cd "$$tree" && ansible-test sanity --venv --python 3.11 --color no

# ANSIBLE_HOME: collections only from .collections (this checkout), never a copy or link that
# another checkout left under ~/.ansible.
lint: setup
	ANSIBLE_HOME=$(CURDIR)/.cache/ansible-home ansible-lint --offline --profile production
	shellcheck tools/*.sh .ci/run
	antsibull-changelog lint

build: setup
	rm -rf .build/dist && mkdir -p .build/dist
	ansible-galaxy collection build --force --output-path .build/dist
	tools/check_artifact.sh .build/dist/cloudmgmt-dmtf-*.tar.gz

unit: setup
	$(PYTEST) tests/unit -q

provider-test: libvirt
	$(PYTEST) provider/tests -q

integration: libvirt
	tools/integration.sh

# pytest suites that drive real ansible-playbook runs, qemu-img and libvirtd, and ansible-builder
# on the built artifact (tests/system/ee: the execution environment, the tested lower bounds).
system: libvirt guest-image
	if [ -d tests/system ]; then $(PYTEST) tests/system -q; else echo "no system tests yet"; fi

molecule: libvirt guest-image
	tools/molecule.sh

bench: libvirt
	tools/bench.sh

# The docsite (guides + plugin docs from the code), built offline into .build/docs.
docs: setup
	tools/docs.sh

# Run the reference provider in the foreground (memory backend) on loopback.
PROVIDER_LISTEN ?= 127.0.0.1:8780
PROVIDER_DB ?= .cache/provider.db
provider: setup
	cimi-provider serve --backend memory --db $(PROVIDER_DB) --listen $(PROVIDER_LISTEN)

clean:
	rm -rf .build .cache tests/output
