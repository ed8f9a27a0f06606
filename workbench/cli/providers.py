"""`workbench providers`: the registered providers (built-in and plugins) and what each can do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.cli.app import app, console
from workbench.cli.errors import handle_errors

if TYPE_CHECKING:
    from workbench.providers.registry import ProviderInfo


def capabilities(info: ProviderInfo) -> str:
    """What the provider can do, in a few words ("offline, SIMULATED", "Batch API (--batch), priced")."""
    flags = [
        ("offline", info.offline), ("SIMULATED", info.simulated), ("Batch API (--batch)", info.batch is not None),
        ("priced (genai-prices)", info.price_id is not None), ("needs base_url", info.needs_base_url),
        ("checks served models", info.lists_models),
    ]
    return ", ".join(label for label, on in flags if on) or "-"


@app.command("providers")
@handle_errors
def providers_command() -> None:
    """List the providers a spec may name (`provider:model`), plugins included, and what each can do."""
    from rich.table import Table
    from rich.text import Text

    from workbench.providers import registry

    table = Table(show_edge=False, pad_edge=False)
    for column in ("provider", "key variable", "capabilities", "from", "description"):
        table.add_column(column, overflow="fold")
    for name, info in registry.providers().items():
        table.add_row(Text(name), Text(info.key_env or "-"), Text(capabilities(info)), Text(registry.source_of(info)),
                      Text(info.description))
    console.print(table)
    console.print(f"Plugins register through the `{registry.ENTRY_POINT_GROUP}` entry points (CONTRIBUTING.md).")
