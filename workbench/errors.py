"""User-facing errors: one line that names the file, the field and (when known) the line."""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """An error caused by the user's input or environment, shown as one line with exit code 2."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.field = field
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "")
        if self.field:
            where = f"{where} [{self.field}]" if where else f"[{self.field}]"
        return f"{where}: {self.message}" if where else self.message


class SpecError(WorkbenchError):
    """A malformed experiment spec, prompt variant or dataset."""


class StoreError(WorkbenchError):
    """The results database cannot be opened or is corrupt."""


class ProviderConfigError(WorkbenchError):
    """A provider cannot be used as configured (missing API key, unknown provider)."""
