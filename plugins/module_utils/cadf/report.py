# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reports of selected events: JSON, CSV, or one self-contained HTML page.

The page loads nothing from anywhere (no external style, script, font or image). Every value from
the trail is HTML-escaped where it is written, and its one inline script is the only one its
Content-Security-Policy allows (by hash), so markup in a trail never runs. The script filters the
table of changes by target, action, initiator and outcome; a URL fragment such as
``#outcome=failure&target=web-1`` sets the filters when the page opens. The output depends only on
the events, so the same query writes the same bytes (no generation time).
"""

import base64
import csv
import hashlib
import io
import json
from html import escape

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.query import summarise

FORMATS = ("json", "csv", "html")
CSV_COLUMNS = ("time", "seq", "run", "action", "outcome", "target", "target_type", "initiator", "host", "play",
               "task", "module", "status", "reason", "playbook", "check_mode", "file", "line")
_TABLE_COLUMNS = (("time", "Time"), ("action", "Action"), ("outcome", "Outcome"), ("target", "Target"),
                  ("initiator", "Initiator"), ("host", "Host"), ("task", "Task"), ("reason", "Reason"),
                  ("seq", "Seq"))
_FILTERS = (("target", "Target"), ("action", "Action"), ("initiator", "Initiator"), ("outcome", "Outcome"))
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_SCRIPT = """
(function () {
  var names = ["target", "action", "initiator", "outcome"];
  var rows = Array.prototype.slice.call(document.querySelectorAll("#changes tbody tr"));
  function value(name) { return document.getElementById("f-" + name).value.trim().toLowerCase(); }
  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var ok = names.every(function (name) {
        var want = value(name);
        if (!want) { return true; }
        var have = (row.getAttribute("data-" + name) || "").toLowerCase();
        if (name === "action") { return have === want || have.indexOf(want + "/") === 0; }
        if (name === "outcome") { return have === want; }
        return have.indexOf(want) !== -1;
      });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.getElementById("shown").textContent = String(shown);
    var parts = [];
    names.forEach(function (name) {
      var v = document.getElementById("f-" + name).value.trim();
      if (v) { parts.push(encodeURIComponent(name) + "=" + encodeURIComponent(v)); }
    });
    document.body.setAttribute("data-filter", parts.join("&"));
  }
  var hash = window.location.hash.replace(/^#/, "");
  hash.split("&").forEach(function (part) {
    var kv = part.split("=");
    if (kv.length === 2 && names.indexOf(decodeURIComponent(kv[0])) !== -1) {
      document.getElementById("f-" + decodeURIComponent(kv[0])).value = decodeURIComponent(kv[1]);
    }
  });
  names.forEach(function (name) { document.getElementById("f-" + name).addEventListener("input", apply); });
  apply();
})();
"""

_STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
tr.failure td { background: #fde8e8; }
tr.pending td { background: #fff6dd; }
.filters label { margin-right: 1em; }
.muted { color: #666; }
"""


def render(events, fmt, title="CADF audit report", skipped=0):
    """The report of ``events`` as text in format ``fmt`` (one of FORMATS)."""
    if fmt == "json":
        return json.dumps({"events": events, "runs": summarise(events), "skipped_lines": skipped},
                          indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return render_csv(events)
    if fmt == "html":
        return render_html(events, title, skipped)
    raise ValueError("format must be one of %s" % ", ".join(FORMATS))


def _csv_cell(value):
    text = "true" if value is True else "false" if value is False else "" if value is None else str(value)
    # a cell that a spreadsheet would take for a formula is quoted as text
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(events):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + ("tags",))
    for event in events:
        tags = ";".join("%s=%s" % item for item in sorted(event["tags"].items()))
        writer.writerow([_csv_cell(event[c]) for c in CSV_COLUMNS] + [_csv_cell(tags)])
    return out.getvalue()


def _cell(value):
    return escape("" if value is None else str(value), quote=True)


def _counts(counts):
    return ", ".join("%s: %d" % (_cell(k), v) for k, v in sorted(counts.items())) or "-"


def render_html(events, title, skipped=0):
    script_hash = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    csp = "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-%s'; img-src 'none'" % script_hash
    out = ['<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
           '<meta http-equiv="Content-Security-Policy" content="%s">\n' % _cell(csp),
           '<meta name="referrer" content="no-referrer">\n',
           "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n" % (_cell(title), _STYLE),
           "<h1>%s</h1>\n" % _cell(title)]
    runs = summarise(events)
    out.append('<h2>Runs</h2>\n<table id="runs">\n<thead><tr><th>Run</th><th>Playbook</th><th>Initiator</th>'
               "<th>First</th><th>Last</th><th>Events</th><th>By action</th><th>By outcome</th></tr></thead>\n"
               "<tbody>\n")
    for run in runs:
        out.append('<tr data-run="%s"><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td>'
                   '<td class="by-action">%s</td><td class="by-outcome">%s</td></tr>\n'
                   % (_cell(run["run"]), _cell(run["run"]), _cell(run["playbook"]), _cell(run["initiator"]),
                      _cell(run["first"]), _cell(run["last"]), run["events"], _counts(run["by_action"]),
                      _counts(run["by_outcome"])))
    out.append("</tbody>\n</table>\n<h2>Changes</h2>\n<p class=\"filters\">")
    for name, label in _FILTERS:
        out.append('<label>%s <input type="search" id="f-%s" name="%s"></label>' % (label, name, name))
    out.append('</p>\n<p><span id="shown">%d</span> of <span id="total">%d</span> events shown%s.</p>\n'
               % (len(events), len(events),
                  (' <span class="muted">(%d unreadable lines skipped)</span>' % skipped) if skipped else ""))
    out.append('<table id="changes">\n<thead><tr>%s</tr></thead>\n<tbody>\n'
               % "".join("<th>%s</th>" % label for _key, label in _TABLE_COLUMNS))
    for event in events:
        attrs = " ".join('data-%s="%s"' % (name, _cell(event[name])) for name, _label in _FILTERS)
        out.append('<tr class="%s" %s>%s</tr>\n' % (
            _cell(event["outcome"]), attrs,
            "".join("<td>%s</td>" % _cell(event[key]) for key, _label in _TABLE_COLUMNS)))
    out.append("</tbody>\n</table>\n<script>%s</script>\n</body>\n</html>\n" % _SCRIPT)
    return "".join(out)
