"""Turn any failure into one clear line and an exit code — never a bare traceback."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import typer

from workbench.cli.consoles import err_console
from workbench.errors import WorkbenchError

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", markup=True)
    raise typer.Exit(code)


def _database_error(exc: Exception) -> str | None:
    """The one-line text of a SQLAlchemy error, or None for any other exception.

    SQLAlchemy is imported only when it is already loaded: commands that never opened a database
    (`--help`, `validate`) cannot raise its errors and should not pay for importing it."""
    if "sqlalchemy" not in sys.modules:
        return None
    from workbench.store.db import failure_message

    return failure_message(exc)


def handle_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except WorkbenchError as exc:
            fail(_escape(str(exc)), exc.exit_code)
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:
            database = _database_error(exc)
            if database is not None:
                fail(_escape(database), 2)
            if os.environ.get("WORKBENCH_DEBUG"):
                raise
            fail(
                _escape(
                    f"internal error: {type(exc).__name__}: {exc} (set WORKBENCH_DEBUG=1 for a traceback)"
                ),
                1,
            )
        return None

    return wrapper  # type: ignore[return-value]


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text.replace("\n", " "))

