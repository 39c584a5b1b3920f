# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the CADF system tests; helpers live in cadf_support (a unique module name,
since several test folders have a conftest)."""
from cadf_support import collector  # noqa: F401  pylint: disable=unused-import
