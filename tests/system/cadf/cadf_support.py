# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run real ansible-playbook with the cloudmgmt.dmtf.cadf callback on localhost."""
import http.server
import json
import os
import pathlib
import ssl
import subprocess
import sys
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "plugins" / "module_utils" / "cadf"))
VENV_BIN = ROOT / ".venv" / "bin"


def run_playbook(tmp_path, playbook, inventory, env_extra=None, args=(), timeout=600):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".collections"),
        "ANSIBLE_CALLBACKS_ENABLED": "cloudmgmt.dmtf.cadf",
        "ANSIBLE_CALLBACK_CADF_PATH": str(tmp_path / "audit.jsonl"),
        "ANSIBLE_CALLBACK_CADF_ANCHOR_PATH": str(tmp_path / "anchor.json"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"),
        "ANSIBLE_LOG_PATH": str(tmp_path / "ansible.log"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_HOST_KEY_CHECKING": "0",
        "PATH": str(VENV_BIN) + os.pathsep + env.get("PATH", ""),
    })
    for key, value in (env_extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    (tmp_path / "play.yml").write_text(playbook)
    (tmp_path / "inventory").write_text(inventory)
    return subprocess.run([str(VENV_BIN / "ansible-playbook"), "-i", str(tmp_path / "inventory"),
                           str(tmp_path / "play.yml")] + list(args),
                          env=env, capture_output=True, check=False, text=True, timeout=timeout, cwd=str(tmp_path))


# Three changed loop items on every host.
SIMPLE_PLAY = """
- name: A few changes
  hosts: all
  gather_facts: false
  tasks:
    - name: Change
      ansible.builtin.debug:
        msg: x
      changed_when: true
      loop: [1, 2, 3]
"""


def local_inventory(n=1):
    py = VENV_BIN / "python"
    return "".join("h%02d ansible_connection=local ansible_python_interpreter=%s\n" % (i, py) for i in range(n))


# The head of a play whose CIMI modules talk to the provider at ``endpoint``.
CIMI_PLAY_HEAD = """
- name: {name}
  hosts: all
  gather_facts: false
  module_defaults:
    group/cloudmgmt.dmtf.cimi:
      endpoint: "{endpoint}"
  tasks:
"""

LOCALHOST = "localhost ansible_connection=local ansible_python_interpreter=%s\n" % (VENV_BIN / "python")


def run_task(workdir, module, args, extra_args=()):
    """Run one task of ``module`` with ``args`` on localhost (not audited); return its registered
    result (a failure is returned, not raised)."""
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "result.json"
    play = [{"name": "One task", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "The task", module: args, "register": "result", "ignore_errors": True},
        {"name": "Keep the result", "ansible.builtin.copy": {
            "content": "{{ result | to_json }}", "dest": str(out), "mode": "0600"}}]}]
    proc = run_playbook(workdir, json.dumps(play), LOCALHOST, env_extra={"ANSIBLE_CALLBACKS_ENABLED": None},
                        args=extra_args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(out.read_text())


def is_anchor_notice(record):
    """The anchor the callback sends to its forwarders after each run (never part of the trail)."""
    if isinstance(record, bytes):
        record = json.loads(record)
    return record.get("reason", {}).get("reasonCode") == "anchor" \
        and record.get("target", {}).get("typeURI") == "data/file/log"


def forwarded(items):
    """(trail records, anchor notices) among what a forwarder delivered or spooled."""
    items = list(items)
    return [i for i in items if not is_anchor_notice(i)], [i for i in items if is_anchor_notice(i)]


def records(path):
    with open(path, "rb") as handle:
        return [json.loads(line) for line in handle]


class Collector:
    """A real local HTTP collector on a free port; stores every posted record."""

    def __init__(self, token="tok-123", tls=None):
        """tls: (cert.pem, key.pem) to serve HTTPS instead of HTTP."""
        self.records, self.token, self.requests = [], token, 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests += 1
                if self.headers.get("Authorization") != "Bearer " + outer.token:
                    self.send_response(401)
                else:
                    outer.records.extend(json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = "%s://127.0.0.1:%d/cadf" % ("https" if tls else "http", self.port)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*[str(part) for part in tls])
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def collector():
    c = Collector()
    yield c
    c.close()


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
