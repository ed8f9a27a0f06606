"""Shared test helpers: the fake LLM server and the no-network guard."""
