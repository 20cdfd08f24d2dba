"""Webhook endpoints offer the outbox's registered event types; an event emitted without registration would
never be offered. This walks the source for every `emit("Name", ...)` and checks the registry knows it."""

import ast
from pathlib import Path

from forgecrm.platform.events import registered_event_types

ROOT = Path(__file__).resolve().parents[2]


def _emitted() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name != "emit":
                continue
            first = node.args[0]
            options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
            for option in options:
                if isinstance(option, ast.Constant) and isinstance(option.value, str):
                    found[option.value] = str(path.relative_to(ROOT))
    return found


def test_every_emitted_event_type_is_registered():
    emitted = _emitted()
    assert len(emitted) >= 20  # the walk sees the apps' operations
    missing = {name: where for name, where in emitted.items() if name not in registered_event_types()}
    assert missing == {}, f"register these in the emitting app's apps.py (register_event_types): {missing}"
