"""Prompt Workbench: A/B testing prompts on recruitment tasks."""

__version__ = "0.1.0"
