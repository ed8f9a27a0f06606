"""The pages of the app, found in workbench/ui/pages/: every page file declares its own `PAGE = PageInfo(...)`.

Adding a page is one new file in workbench/ui/pages/ (see CONTRIBUTING.md): its `PAGE` names the section,
the position, the icon, the title in English and Dutch and the role it needs; the navigation, the
Overview's links and the page titles all read it from there. Files without a `PAGE` (helpers) are skipped.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from workbench.ui import config
from workbench.ui.auth import Role

Section = Literal["results", "build"]


@dataclass(frozen=True)
class PageInfo:
    section: Section  # "results" (reading runs) or "build" (prompts, datasets, running)
    order: int  # position within its section, smallest first
    icon: str  # a Streamlit icon such as ":material/compare:"
    title_en: str
    title_nl: str
    role: Role | None = None  # the role needed to see the page (None: every user, viewers included)

    def title(self, lang: str) -> str:
        return self.title_nl if lang == "nl" else self.title_en


@cache
def _declared(path: Path, mtime: float) -> PageInfo | None:
    """The `PAGE` of one page file, loaded under a private module name (the file is not run as a page)."""
    name = f"_workbench_page_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    info = getattr(module, "PAGE", None)
    return info if isinstance(info, PageInfo) else None


def pages() -> dict[str, PageInfo]:
    """Every page in the pages folder by name (its file name), in navigation order."""
    found = {}
    for path in sorted(config.PAGES_DIR.glob("*.py")):
        if path.name.startswith("_"):
            continue
        info = _declared(path, path.stat().st_mtime)
        if info is not None:
            found[path.stem] = info
    return dict(sorted(found.items(), key=lambda item: (item[1].section != "results", item[1].order, item[0])))
