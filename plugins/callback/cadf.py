# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cadf
type: notification
short_description: Write a tamper-evident DMTF CADF audit record for every change
version_added: 0.1.0
description:
  - Writes one CADF (DMTF DSP0262) C(activity) event per changed task result, per loop item where the task has a loop
    (never both for one task), to an append-only JSON Lines trail. Failed and unreachable results are recorded with
    outcome C(failure) and a reason; unchanged results only with O(include_unchanged). The start and the end of each
    run are recorded too.
  - >-
    Initiator is the operating-system account running Ansible (its uid looked up in the password database, never
      the C(USER) variable; the user names the environment claims are kept apart in the initiator's C(identity)
      attachment) on the controller host; observer this collection's auditing service; target the managed host
      (C(compute/node)) or, better, the resource a module reports in its C(cadf) return value
      (C({"typeURI": "compute/machine", "id": ..., "name": ...})).
  - >-
    The action is what the module did when it says so: a module that returns a C(cadf) hint and an C(actions) list
      (this collection's CIMI modules, for example C([create, start])) gets one record per action. Otherwise the action
      comes from a shipped map of module and C(state) to the CADF action taxonomy that O(action_map_file) extends.
      A failure's C(reason) carries the module's message with secrets masked
      (C({"reasonType": "urn:cloudmgmt:dmtf:ansible:message", "reasonCode": "failed: ..."})).
  - Every record carries the playbook's path and the git commit of the repository holding it (when there is one)
    and the operator tags of O(tags) and of the extra var C(cadf_tags).
  - "Check mode: a result that would change is recorded with outcome C(pending), status C(would_change),
    C(changed: false) and the tag C(check_mode?value=true); it is never recorded as a real change."
  - "Secrets: task arguments and diff bodies are not copied unless O(include_task_args) or O(include_diff) is set;
    even then nothing is copied for C(no_log) results, keys that look secret are masked and credentials are
    removed from URLs."
  - "Integrity: every record carries its sequence number and the SHA-256 of the previous record (attachment
    C(integrity)); the chain continues across runs. Each run ends with a digest in O(digest_path), signed with
    O(signing_key_file). Check a trail with M(cloudmgmt.dmtf.cadf_verify)."
  - "Failures to write are warnings and the run goes on (fail-open) unless O(fail_closed) is set: then the play stops
    (exit code 1) as soon as a record cannot be made durable in the trail or the HTTP spool."
  - "Play and task names are recorded as written in the playbook, before templating: a variable in a name
    (C(name: Rotate {{ db_password }})) is recorded as the template, never as its value."
  - Ad-hoc commands (C(ansible)) are audited only with C(bin_ansible_callbacks=true).
requirements:
  - enable in configuration (C(callbacks_enabled = cloudmgmt.dmtf.cadf))
  - cryptography (only for Ed25519 signing keys)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cadf
options:
  path:
    description: The trail file (JSON Lines, mode 0600; its directory is created with mode 0700).
    type: path
    default: ~/.ansible/audit/cadf.jsonl
    env: [{name: ANSIBLE_CALLBACK_CADF_PATH}]
    ini: [{section: callback_cadf, key: path}]
  digest_path:
    description:
      - File of per-run digests. Defaults to O(path) with C(.digest) appended.
      - It must not be, or lie inside, any other file or folder this callback uses (O(path),
        O(spool_dir), O(signing_key_file), ...); such a conflict stops the run before its first task.
    type: path
    env: [{name: ANSIBLE_CALLBACK_CADF_DIGEST_PATH}]
    ini: [{section: callback_cadf, key: digest_path}]
  signing_key_file:
    description:
      - Key that signs each run's digest. A PEM Ed25519 private key signs with Ed25519 (verify with the public key);
        any other file is an HMAC-SHA256 secret of at least 16 bytes. Without it digests are unsigned.
    type: path
    env: [{name: ANSIBLE_CALLBACK_CADF_SIGNING_KEY_FILE}]
    ini: [{section: callback_cadf, key: signing_key_file}]
  anchor_path:
    description:
      - File that keeps where the trail had got to after each run (last sequence number, hash and size of the
        last record; signed with O(signing_key_file) when set), apart from the trail, so that an erased, replaced
        or truncated trail is noticed by the next run and by M(cloudmgmt.dmtf.cadf_verify) (its O(cloudmgmt.dmtf.cadf_verify#module:anchor) option).
      - Defaults to C(~/.ansible/cadf/anchors/<hash of the trail's real path>.json).
      - A run whose trail does not hold the anchored record starts with a record of the reset (action
        C(evaluate), outcome C(failure), reason code C(trail_reset)) naming the old anchor; the anchor keeps the
        list of resets from then on. A trail emptied by rotation (the old file kept next to it as
        C(<path>.<suffix>) or C(<path>-<suffix>)) continues the chain of the rotated file instead.
      - After each run the anchor is also sent to the O(forwarders) as a CADF event (action C(notify), reason code
        C(anchor), not written to the trail) so that a copy lives off the host.
      - An anchor that cannot be written is a failure to make the trail durable (a warning, or the end of the play
        with O(fail_closed)).
    type: path
    env: [{name: ANSIBLE_CALLBACK_CADF_ANCHOR_PATH}]
    ini: [{section: callback_cadf, key: anchor_path}]
    version_added: 0.1.0
  fsync:
    description:
      - When the trail and the HTTP spool are flushed to disk.
        V(always) after every record; V(batch) every 64 records or each second
        and at the end of the run; V(never) leaves it to the operating system.
    type: str
    default: batch
    choices: [always, batch, never]
    env: [{name: ANSIBLE_CALLBACK_CADF_FSYNC}]
    ini: [{section: callback_cadf, key: fsync}]
  include_unchanged:
    description: Also record results that changed nothing.
    type: bool
    default: false
    env: [{name: ANSIBLE_CALLBACK_CADF_INCLUDE_UNCHANGED}]
    ini: [{section: callback_cadf, key: include_unchanged}]
  include_task_args:
    description: Copy the module arguments (as the module logged them, secret-looking keys masked) unless C(no_log).
    type: bool
    default: false
    env: [{name: ANSIBLE_CALLBACK_CADF_INCLUDE_TASK_ARGS}]
    ini: [{section: callback_cadf, key: include_task_args}]
  include_diff:
    description: Copy the diff the module returned (secret-looking keys masked) unless C(no_log).
    type: bool
    default: false
    env: [{name: ANSIBLE_CALLBACK_CADF_INCLUDE_DIFF}]
    ini: [{section: callback_cadf, key: include_diff}]
  action_map_file:
    description:
      - >-
        YAML or JSON mapping of module FQCN to a CADF action, or to C({states: {STATE: ACTION}, default: ACTION}).
        Its entries replace the shipped ones for the same module.
    type: path
    env: [{name: ANSIBLE_CALLBACK_CADF_ACTION_MAP_FILE}]
    ini: [{section: callback_cadf, key: action_map_file}]
  tags:
    description:
      - Operator tags recorded in every record of the run, as C(name=value) strings (for example a change
        ticket, C(ticket=CHG-1)); each becomes a CADF tag C(name?value=value) and an entry of the C(tags)
        mapping in the C(ansible) attachment.
      - >-
        The extra var C(cadf_tags) adds to them and wins for the same name; it may be a mapping
        (C(-e '{"cadf_tags": {"ticket": "CHG-1"}}')) or a list of C(name=value) strings.
      - A name is a letter then letters, digits, C(_), C(.) or C(-); a value is 1 to 256 printable characters;
        at most 20 tags. When one tag breaks these rules, the tags of its source (option or extra var) are
        left out with a warning.
    type: list
    elements: str
    default: []
    env: [{name: ANSIBLE_CALLBACK_CADF_TAGS}]
    ini: [{section: callback_cadf, key: tags}]
    version_added: 0.1.0
  fail_closed:
    description: Stop the play when a record cannot be made durable (trail, digest or HTTP spool), instead of warning.
    type: bool
    default: false
    env: [{name: ANSIBLE_CALLBACK_CADF_FAIL_CLOSED}]
    ini: [{section: callback_cadf, key: fail_closed}]
"""

import atexit
import os
import platform
import threading
import time

import yaml

from ansible import __version__ as ansible_version
from ansible import context
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.callback import CallbackBase
from ansible.utils.vars import load_extra_vars
from ansible.utils.display import Display

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import builder, identity
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.actions import (
    DEFAULT_ACTIONS, check_action_map, performed_actions, resolve_action)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.anchor import (
    AnchorError, default_anchor_path, holds, make_anchor, read_anchor, reset_entry, rotated_predecessor,
    signature_problem, tail_of, write_anchor)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.canonical import canonical_json
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.digest import (
    default_digest_path, write_digest)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.http_forwarder import (
    HttpForwarder, SpoolError)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.paths import path_conflicts
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.redact import (
    redact, redact_text, strip_url_credentials)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.signing import SigningKeyError, load_key
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.syslog import SyslogForwarder
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.trail import TrailError, TrailWriter

display = Display()
TAGS_EXTRA_VAR = "cadf_tags"
FAIL_CLOSED_EXIT = 1
_MAX_WARNINGS = 5


class AuditFailure(Exception):
    """The audit trail cannot be made durable."""


def _result_parts(result):
    """(host, task, result dict, task_fields) with the 2.19 API, falling back to the private one."""
    def get(name):
        return getattr(result, name) if hasattr(result, name) else getattr(result, "_" + name, None)
    return get("host"), get("task"), get("result") or {}, get("task_fields") or {}


def _name_as_written(obj, fallback):
    """The name in the playbook's own text, not templated: a name like ``Rotate {{ db_password }}``
    would otherwise copy the secret's value into the trail."""
    data = obj.get_ds() if hasattr(obj, "get_ds") else None
    name = data.get("name") if isinstance(data, dict) else None
    return strip_url_credentials(str(name) if name else fallback())


def _task_name_as_written(task):
    name = _name_as_written(task, task.get_name)
    role = getattr(task, "_role", None)
    if role is not None and not name.startswith(role.get_name() + " : "):
        return "%s : %s" % (role.get_name(), name)
    return name


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "cloudmgmt.dmtf.cadf"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        # MainThread and results_thread_main both call in (CADF.md 3.1): one lock for all state.
        self._lock = threading.RLock()
        self._started = self._finished = False
        self._fatal = None
        self._warned = {}
        self._ctx = self._writer = self._http = self._syslog = self._key = None
        self._timing = {}
        self._count, self._first_seq, self._last_seq = 0, None, None
        self._play_name = ""

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        self._actions = dict(DEFAULT_ACTIONS)
        map_file = self.get_option("action_map_file")
        if map_file:
            try:
                with open(map_file) as handle:
                    user_map = yaml.safe_load(handle) or {}
            except (OSError, yaml.YAMLError) as exc:
                user_map = {"(file)": "unreadable: %s" % getattr(exc, "strerror", None) or type(exc).__name__}
            problems = check_action_map(user_map)
            if problems:
                self._problem("action_map_file %s ignored: %s" % (map_file, "; ".join(problems[:5])))
            else:
                self._actions.update(user_map)

    # -- failure policy ----------------------------------------------------
    def _problem(self, message):
        """Fail-open: warn (a few times per kind). Fail-closed: remember, and stop the play on MainThread."""
        message = strip_url_credentials(message)
        if self.get_option("fail_closed"):
            self._fatal = self._fatal or message
            self._stop_if_fatal()
            return
        kind = message.split(":")[0]
        self._warned[kind] = self._warned.get(kind, 0) + 1
        if self._warned[kind] <= _MAX_WARNINGS:
            display.warning("CADF audit: %s" % message)

    def _stop_if_fatal(self):
        if self._fatal and threading.current_thread() is threading.main_thread():
            message, self._fatal = self._fatal, None
            self.disabled = True
            display.error("CADF audit (fail_closed): %s; stopping the play." % message)
            # SystemExit is not an Exception, so the dispatcher does not turn it into a warning.
            raise SystemExit(FAIL_CLOSED_EXIT)

    # -- run lifecycle -----------------------------------------------------
    def _start(self, playbook_name, playbook_path=None, loader=None):
        if self._started:
            return
        self._started = True
        uid, user = identity.os_account()
        host, fqdn = identity.controller_host()
        run_info = {}
        if playbook_path:
            run_info["playbook_path"] = os.path.abspath(playbook_path)
            run_info["playbook_commit"] = identity.git_commit(run_info["playbook_path"])
        self._ctx = builder.RunContext(user or str(uid), host, "ansible-core/%s" % ansible_version,
                                       platform.system() + " " + platform.release(), playbook_name,
                                       uid=uid, claims=identity.environment_claims(), address=fqdn,
                                       run_info=run_info, tags=self._operator_tags(loader))
        path = self.get_option("path")
        self._digest_path = self.get_option("digest_path") or default_digest_path(path)
        self._run_start = None
        self._refuse_conflicting_paths(path)
        try:
            if self.get_option("signing_key_file"):
                self._key = load_key(self.get_option("signing_key_file"))
                if not self._key.can_sign:
                    raise SigningKeyError("signing_key_file holds a public key; a private key is needed")
            self._writer = TrailWriter(path, fsync=self.get_option("fsync")).open()
            forwarders = self.get_option("forwarders") or []
            if "http" in forwarders:
                self._http = self._make_http(path).start()
            if "syslog" in forwarders:
                self._syslog = SyslogForwarder(self.get_option("syslog_socket"), self.get_option("syslog_facility"))
        except (TrailError, SpoolError, SigningKeyError, ValueError) as exc:
            self._problem("cannot start: %s" % exc)
        self._anchor_path = self.get_option("anchor_path") or default_anchor_path(path)
        self._resets = []
        if self._writer is not None:
            self._check_anchor(path)
        atexit.register(self._finish_at_exit)
        event = self._ctx.run_event("start", "success", {"playbook": self._ctx.playbook},
                                    check_mode=self._cli_check())
        self._run_start = event["eventTime"]
        self._emit(event)

    def _operator_tags(self, loader):
        """Tags of the callback option, then of the extra var cadf_tags (which wins per name)."""
        tags = {}
        sources = [("the tags option", self.get_option("tags"))]
        try:
            extra = load_extra_vars(loader or DataLoader())
        except Exception as exc:  # an unreadable @file is Ansible's to report; the tags are ours
            extra = {}
            self._problem("cannot read the extra var %s: %s" % (TAGS_EXTRA_VAR, type(exc).__name__))
        if isinstance(extra, dict) and TAGS_EXTRA_VAR in extra:
            sources.append(("the extra var " + TAGS_EXTRA_VAR, extra[TAGS_EXTRA_VAR]))
        for where, value in sources:
            try:
                tags.update(identity.parse_tags(value))
            except identity.TagError as exc:
                self._problem("tags from %s ignored: %s" % (where, exc))
        return tags

    def _check_anchor(self, path):
        """Does the trail continue where the anchor says it had got to? A trail emptied by rotation
        continues the chain of the rotated file; anything else is a reset, recorded first.

        A signature that does not check out (no key before, the key changed, or edited) matters
        only when the trail no longer holds the anchored record: then the reset names it too."""
        try:
            anchor = read_anchor(self._anchor_path)
        except AnchorError as exc:
            anchor, problem = None, str(exc)
            self._problem("anchor: %s" % exc)
        else:
            if anchor is None:
                return
            problem = signature_problem(anchor, self._key)
            self._resets = list(anchor.get("resets") or [])
        try:
            with self._writer.locked_state() as (size, seq, _last_hash):
                if anchor is not None:
                    if holds(path, anchor):
                        if problem:
                            display.warning("CADF audit: %s (%s); the trail holds its record, and this run signs "
                                            "it anew" % (problem, self._anchor_path))
                        return
                    predecessor = rotated_predecessor(path, anchor) if size == 0 else None
                    if predecessor is not None:
                        self._writer.continue_chain(*tail_of(predecessor))
                        return
                    entry = reset_entry(anchor, seq, size)
                else:
                    entry = {"found_seq": seq, "found_size": size}
                if problem:
                    entry["anchor_problem"] = problem
        except (AnchorError, TrailError) as exc:
            self._problem("anchor: %s" % exc)
            return
        self._resets.append(entry)
        self._emit(self._ctx.reset_event(path, entry))

    def _write_anchor(self):
        try:
            with self._writer.locked_state() as (size, seq, last_hash):
                anchor = make_anchor(self._writer.path, seq, last_hash, size, self._ctx.run_id, self._key,
                                     self._resets)
                write_anchor(self._anchor_path, anchor)
        except (AnchorError, TrailError) as exc:
            self._problem("cannot write the anchor: %s" % exc)
            return
        self._forward(canonical_json(self._ctx.anchor_event(self._writer.path, anchor)), anchor["time"], False)

    def _forward(self, line, event_time, failed):
        """Hand a sealed line (or the anchor notice) to the forwarders."""
        if self._http is not None:
            try:
                self._http.submit(line)
            except SpoolError as exc:
                self._problem(str(exc))
        if self._syslog is not None:
            try:
                self._syslog.send(line, event_time, failed=failed)
            except OSError as exc:
                self._problem("syslog %s: %s" % (self._syslog.socket_path, exc.strerror or exc))

    def _refuse_conflicting_paths(self, path):
        """Overlapping files would corrupt the trail (or hang on its lock): stop before any task."""
        uses_http = "http" in (self.get_option("forwarders") or [])
        problems = path_conflicts({
            "path": path, "digest_path": self._digest_path,
            "spool_dir": (self.get_option("spool_dir") or path + ".spool") if uses_http else None,
            "signing_key_file": self.get_option("signing_key_file"),
            "anchor_path": self.get_option("anchor_path") or default_anchor_path(path),
            "http_token_file": self.get_option("http_token_file") if uses_http else None,
            "action_map_file": self.get_option("action_map_file")})
        if problems:
            self.disabled = True
            display.error("CADF audit: conflicting settings: %s; no task was run." % "; ".join(problems))
            raise SystemExit(FAIL_CLOSED_EXIT)

    def _make_http(self, path):
        url = self.get_option("http_url")
        if not url:
            raise ValueError("forwarders includes http but http_url is not set")
        token = self.get_option("http_token")
        token_file = self.get_option("http_token_file")
        if token_file:
            try:
                with open(token_file) as handle:
                    token = handle.read().strip()
            except OSError as exc:
                raise ValueError("cannot read http_token_file %s: %s" % (token_file, exc.strerror))
        return HttpForwarder(url, self.get_option("spool_dir") or path + ".spool", token=token,
                             validate_certs=self.get_option("http_validate_certs"),
                             ca_path=self.get_option("http_ca_path"), timeout=self.get_option("http_timeout"),
                             batch_size=self.get_option("http_batch_size"),
                             fsync=self.get_option("fsync"))

    @staticmethod
    def _cli_check():
        return bool((context.CLIARGS or {}).get("check"))

    def _finish_at_exit(self):
        # the run ended without v2_playbook_on_stats (interrupted): still seal what was written
        try:
            self._finish(None)
        except SystemExit:
            pass

    def _finish(self, stats):
        with self._lock:
            if self._finished or not self._started:
                return
            self._finished = True
            hosts, failed = {}, False
            if stats is not None:
                for host in sorted(stats.processed):
                    summary = stats.summarize(host)
                    hosts[host] = summary
                    failed = failed or bool(summary.get("failures") or summary.get("unreachable"))
            content = {"playbook": self._ctx.playbook, "hosts": hosts, "records": self._count + 1,
                       "interrupted": stats is None}
            self._emit(self._ctx.run_event("stop", "failure" if failed or stats is None else "success",
                                           content, check_mode=self._cli_check()))
            try:
                if self._writer is not None:
                    self._writer.sync()
                    write_digest(self._writer, self._digest_path, self._ctx.run_id, self._run_start,
                                 self._count, self._first_seq, self._last_seq, self._key)
            except TrailError as exc:
                self._problem("cannot seal the run: %s" % exc)
            if self._writer is not None:
                self._write_anchor()
            if self._http is not None:
                try:
                    self._http.sync()
                except SpoolError as exc:
                    self._problem(str(exc))
                self._http.close(self.get_option("http_flush_timeout"))
                for message in self._http.errors[:_MAX_WARNINGS]:
                    display.warning("CADF audit: %s" % message)
                if self._http.errors:
                    display.warning("CADF audit: undelivered records stay in %s and are sent by the next run"
                                    % self._http.spool_dir)
            for part in (self._syslog, self._writer):
                if part is not None:
                    part.close()

    # -- writing -----------------------------------------------------------
    def _emit(self, event):
        with self._lock:
            if self._writer is None:
                return
            try:
                line = self._writer.append(event, self._ctx.run_id)
            except TrailError as exc:
                self._problem(str(exc))
                return
            self._count += 1
            seq = event["attachments"][-1]["content"]["seq"]
            self._first_seq = seq if self._first_seq is None else self._first_seq
            self._last_seq = seq
            self._forward(line, event["eventTime"], event["outcome"] == "failure")

    def _record(self, result, status, item=False):
        host, task, res, task_fields = _result_parts(result)
        with self._lock:
            self._start("ad-hoc")
            key = (host.name, getattr(task, "_uuid", None))
            now = time.monotonic()
            duration = round(now - self._timing.get(key, now), 3)
            if item:
                self._timing[key] = now  # the next item's duration starts here
            no_log = bool(getattr(task, "no_log", False) or res.get("_ansible_no_log"))
            module = getattr(task, "resolved_action", None) or getattr(task, "action", "")
            details = {"play": self._play_name, "task": _task_name_as_written(task),
                       "task_uuid": getattr(task, "_uuid", None), "module": module,
                       "duration": duration, "changed": bool(res.get("changed")), "loop_item": item}
            delegate = getattr(task, "delegate_to", None)
            if isinstance(delegate, str) and "{{" not in delegate:
                details["delegate_to"] = delegate
            if not no_log:
                self._optional_content(details, res, task_fields)
            hint = None if no_log else res.get("cadf")
            performed = None if no_log or status not in ("changed", "ok") else performed_actions(res)
            if performed and res.get("changed"):
                steps = [step for step, _action in performed]
                for step, action in performed:
                    self._emit(builder.result_event(
                        self._ctx, status, action, host.name, dict(details, step=step, steps=steps),
                        check_mode=bool(getattr(task, "check_mode", False)), hint=hint))
            else:
                message = None
                if status in ("failed", "ignored", "unreachable") and not no_log:
                    message = redact_text(res.get("msg")) or None
                self._emit(builder.result_event(
                    self._ctx, status, resolve_action(self._actions, module, self._state(res, task_fields)),
                    host.name, details, check_mode=bool(getattr(task, "check_mode", False)), hint=hint,
                    message=message))
        self._stop_if_fatal()

    @staticmethod
    def _state(res, task_fields):
        # only ever a lookup key into the action map, never copied into a record
        for source in ((res.get("invocation") or {}).get("module_args") or {}, task_fields.get("args") or {}):
            state = source.get("state") if isinstance(source, dict) else None
            if isinstance(state, str):
                return state
        return None

    def _optional_content(self, details, res, task_fields):
        if self.get_option("include_task_args"):
            args = (res.get("invocation") or {}).get("module_args")
            if not isinstance(args, dict):
                args = dict((k, v) for k, v in (task_fields.get("args") or {}).items() if not k.startswith("_ansible"))
            details["args"] = redact(args)
        if self.get_option("include_diff") and res.get("diff"):
            details["diff"] = redact(res["diff"])

    # -- Ansible events ----------------------------------------------------
    def v2_playbook_on_start(self, playbook):
        file_name = getattr(playbook, "_file_name", "") or ""
        with self._lock:
            self._start(os.path.basename(file_name) or "playbook", file_name or None,
                        getattr(playbook, "_loader", None))
        self._stop_if_fatal()

    def v2_playbook_on_play_start(self, play):
        self._play_name = _name_as_written(play, play.get_name)

    def v2_runner_on_start(self, host, task):
        with self._lock:
            self._timing[(host.name, task._uuid)] = time.monotonic()

    def v2_runner_on_ok(self, result):
        _host, _task, res, _tf = _result_parts(result)
        if isinstance(res.get("results"), list):
            self._stop_if_fatal()
            return  # a loop: its items were recorded one by one
        if res.get("changed"):
            self._record(result, "changed")
        elif self.get_option("include_unchanged"):
            self._record(result, "ok")
        self._stop_if_fatal()

    def v2_runner_on_failed(self, result, ignore_errors=False):
        _host, _task, res, _tf = _result_parts(result)
        if isinstance(res.get("results"), list):
            self._stop_if_fatal()
            return
        self._record(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_runner_item_on_ok(self, result):
        _host, _task, res, _tf = _result_parts(result)
        if res.get("changed"):
            self._record(result, "changed", item=True)
        elif self.get_option("include_unchanged"):
            self._record(result, "ok", item=True)

    def v2_runner_item_on_failed(self, result):
        _host, task, res, _tf = _result_parts(result)
        status = "unreachable" if res.get("unreachable") else "ignored" if getattr(task, "ignore_errors", False) else "failed"
        self._record(result, status, item=True)

    def v2_playbook_on_stats(self, stats):
        self._finish(stats)
        self._stop_if_fatal()
