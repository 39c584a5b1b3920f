# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
import os
import sys

# Lets the test modules import the shared sample documents.
sys.path.insert(0, os.path.dirname(__file__))
