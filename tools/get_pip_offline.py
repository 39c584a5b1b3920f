"""Offline stand-in for the get-pip.py script that ansible-test downloads.

ansible-test bootstraps pip into each of its virtual environments by running a
get-pip script fetched from a host this machine cannot reach. This script does
the same job with what Python already ships: ensurepip, then pip itself.
"""
import ensurepip
import os
import subprocess
import sys

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
DROPPED = {"--no-setuptools", "--no-wheel"}

# ensurepip.bootstrap() deletes every PIP_* variable from os.environ (bpo-19734),
# so keep the environment for the real install, with the system CA bundle.
env = dict(os.environ)
if os.path.exists(CA_BUNDLE):
    env.setdefault("PIP_CERT", CA_BUNDLE)

ensurepip.bootstrap()
args = [arg for arg in sys.argv[1:] if arg not in DROPPED]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args, env=env))
