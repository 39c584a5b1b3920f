# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the inventory system tests; helpers live in inventory_support (a unique module
name, since several test folders have a conftest)."""
from inventory_support import cloud  # noqa: F401  pylint: disable=unused-import
