"""The Streamlit main script, installed with the package (`workbench ui` runs it from a wheel too).

It sits alone in this folder because Streamlit puts the main script's folder first on `sys.path`:
next to workbench/ui/'s modules (`config`, `auth`, `state`, ...) those would shadow top-level imports
of the same names, and a `pages/` folder beside it would be picked up as Streamlit's old page list.
"""

from pathlib import Path

SCRIPT = Path(__file__).with_name("streamlit_app.py")
