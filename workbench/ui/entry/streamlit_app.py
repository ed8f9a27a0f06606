"""Prompt Workbench UI, the script `workbench ui` hands to `streamlit run`. Pages live in workbench/ui/pages/."""

from workbench.ui.app import main

main()
