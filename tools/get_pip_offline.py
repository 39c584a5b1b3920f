"""Offline stand-in for the get-pip.py script that ansible-test downloads.

ansible-test bootstraps pip into each of its virtual environments by running a
get-pip script fetched from a host this machine cannot reach. This script does
the same job with what Python already ships: ensurepip, then pip itself.
"""
import ensurepip
import os
import subprocess
import sys

DROPPED = {"--no-setuptools", "--no-wheel"}

if os.path.exists("/etc/ssl/certs/ca-certificates.crt"):
    os.environ.setdefault("PIP_CERT", "/etc/ssl/certs/ca-certificates.crt")

ensurepip.bootstrap()
args = [arg for arg in sys.argv[1:] if arg not in DROPPED]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
