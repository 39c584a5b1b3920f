#!/usr/bin/env python3
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Overhead of the cloudmgmt.dmtf.cadf callback on a playbook of N changed tasks (localhost).

Interleaves runs without the callback, with the file sink (chain + digest) and with
the HTTP forwarder to a local collector that takes 50 ms per request; prints min,
median and max of each, ratios against the goals (file <= 1.03x, HTTP <= 1.05x), per-round
ratios, and the peak RSS of ansible-playbook.
Usage: run.py [--tasks 1000] [--rounds 5]
"""
import argparse
import http.server
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT / "bench"))

from common import interleave  # noqa: E402


def collector(delay):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(delay)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(workdir, mode, port):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".collections"), ANSIBLE_NOCOLOR="1")
    trail = workdir / ("audit-%s.jsonl" % mode)
    if mode != "none":
        env.update(ANSIBLE_CALLBACKS_ENABLED="cloudmgmt.dmtf.cadf", ANSIBLE_CALLBACK_CADF_PATH=str(trail),
                   ANSIBLE_CALLBACK_CADF_SIGNING_KEY_FILE=str(workdir / "key"))
    if mode == "http":
        env.update(ANSIBLE_CALLBACK_CADF_FORWARDERS="http",
                   ANSIBLE_CALLBACK_CADF_HTTP_URL="http://127.0.0.1:%d/cadf" % port)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    subprocess.run([str(BIN / "ansible-playbook"), "-i", str(workdir / "inventory"), str(workdir / "play.yml")],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.monotonic() - start
    return elapsed, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5,
                        help="interleaved rounds; fewer cannot separate a 3%% overhead from noise")
    opts = parser.parse_args()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="cadf-bench-"))
    (workdir / "key").write_text("bench-hmac-key-0123456789abcdef\n")
    (workdir / "inventory").write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n"
                                       % sys.executable)
    tasks = "".join("    - name: Change %d\n      ansible.builtin.debug:\n        msg: x\n      changed_when: true\n"
                    % i for i in range(opts.tasks))
    (workdir / "play.yml").write_text("- name: Bench\n  hosts: localhost\n  gather_facts: false\n  tasks:\n" + tasks)
    server = collector(0.05)
    peak = [0]

    def runner(mode):
        def one():
            elapsed, rss = run(workdir, mode, server.server_address[1])
            peak[0] = max(peak[0], rss)
            print("%-4s %.2f s" % (mode, elapsed), flush=True)
            return elapsed
        return one

    times = interleave({mode: runner(mode) for mode in ("none", "file", "http")}, opts.rounds)
    server.shutdown()
    base = statistics.median(times["none"])
    print("tasks=%d rounds=%d (interleaved, order alternating)" % (opts.tasks, opts.rounds))
    for mode in ("none", "file", "http"):
        print("%-4s min %.2f s  median %.2f s  max %.2f s"
              % (mode, min(times[mode]), statistics.median(times[mode]), max(times[mode])))
    for mode, goal in (("file", 1.03), ("http", 1.05)):
        med = statistics.median(times[mode])
        paired = [t / b for t, b in zip(times[mode], times["none"])]
        print("%-4s sink ratio of medians %.3fx (goal <= %.2fx) %s; per round min %.3fx median %.3fx max %.3fx"
              % (mode, med / base, goal, "OK" if med / base <= goal else "OVER GOAL",
                 min(paired), statistics.median(paired), max(paired)))
    print("peak RSS of a child process (ansible-playbook): %.1f MiB" % (peak[0] / 1024.0))


if __name__ == "__main__":
    main()
