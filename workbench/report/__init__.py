"""Reports of a run: a rich verdict table for the terminal and self-contained HTML / Markdown files."""
