# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.cloudmgmt.dmtf`` importable (the worktree linked under .collections)."""
import pathlib
import sys

_ROOT = pathlib.Path(__file__).resolve().parents[4]
for path in (str(_ROOT / ".collections"), str(_ROOT / "tests" / "unit" / "plugins" / "module_utils" / "cadf")):
    if path not in sys.path:
        sys.path.insert(0, path)
