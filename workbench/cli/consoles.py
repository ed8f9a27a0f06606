"""The terminal consoles of the CLI: stdout for results, stderr for the one-line errors.

Both neutralise bidirectional control characters in every string they render (see `workbench.bidi`),
so a U+202E in a dataset cell or a model output cannot reverse the text printed after it. Strings are
neutralised before rich lays them out, so table widths stay right.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from workbench.bidi import neutralise


class BidiSafeConsole(Console):
    def render_str(self, text: str, *args: Any, **kwargs: Any) -> Text:
        return super().render_str(neutralise(text), *args, **kwargs)


console = BidiSafeConsole(highlight=False)
err_console = BidiSafeConsole(stderr=True, highlight=False, soft_wrap=True)
