"""Prompt Workbench UI from a source checkout: `streamlit run streamlit_app.py` (or `workbench ui`).

A shim: the installed entry point is workbench/ui/entry/streamlit_app.py, which `workbench ui` runs.
"""

from workbench.ui.app import main

main()
