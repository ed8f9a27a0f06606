"""Prompt Workbench UI: `streamlit run streamlit_app.py` (or `workbench ui`). Pages live in workbench/ui/."""

from workbench.ui.app import main

main()
