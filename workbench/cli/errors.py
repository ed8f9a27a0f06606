"""Turn any failure into one clear line and an exit code — never a bare traceback."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from workbench.errors import WorkbenchError
from workbench.store.db import active_target

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", markup=True)
    raise typer.Exit(code)


def handle_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except WorkbenchError as exc:
            fail(_escape(str(exc)), exc.exit_code)
        except OperationalError as exc:
            reason = str(exc.orig).splitlines()[0] if exc.orig else "operational error"
            fail(
                _escape(
                    f"database error ({active_target()}): {reason}"
                ),
                2,
            )
        except SQLAlchemyError as exc:
            fail(_escape(f"database error ({active_target()}): {str(exc).splitlines()[0]}"), 2)
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:
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


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
