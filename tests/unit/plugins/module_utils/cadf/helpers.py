# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small builders shared by the CADF unit tests."""
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import builder, model


def run_context():
    return builder.RunContext("alice", "ctl.example", "ansible-core/2.19", "Linux", "site.yml")


def sample_event(ctx=None, host="web-1", status="changed", action="update", check_mode=False, hint=None):
    ctx = ctx or run_context()
    return builder.result_event(ctx, status, action, host, {"task": "t", "module": "m", "changed": True},
                                check_mode=check_mode, hint=hint)


def uuid_(kind="x"):
    return model.stable_id("test", kind)
