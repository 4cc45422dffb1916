"""OpenAPI response schemas for the core's attrs results (no pydantic copy of them).

:func:`etstats.schema.json_schema` writes ``$defs`` with ``#/$defs/...`` references, which
an OpenAPI document would resolve from its own root; :func:`inline_schema` replaces every
reference with the definition itself so the schema stands alone wherever it is embedded.
"""

from __future__ import annotations

import functools
from typing import Any

from etstats.schema import json_schema


def _inline(node: Any, defs: dict[str, Any], depth: int) -> Any:
    if depth > 40:  # the result types are not recursive; this only guards a mistake
        return {}
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs, depth + 1)
        if "prefixItems" in node:  # fixed tuples: some OpenAPI tools mishandle prefixItems
            node = _tuple_as_items(node)
        return {
            k: _inline(v, defs, depth + 1) for k, v in node.items() if k not in ("$defs", "$schema")
        }
    if isinstance(node, list):
        return [_inline(v, defs, depth + 1) for v in node]
    return node


def _tuple_as_items(node: dict[str, Any]) -> dict[str, Any]:
    """``prefixItems`` → ``items: anyOf`` of the positions (length kept by min/maxItems)."""
    parts: list[Any] = []
    for item in node["prefixItems"]:
        if item not in parts:
            parts.append(item)
    rest = {k: v for k, v in node.items() if k not in ("prefixItems", "items")}
    return {**rest, "items": parts[0] if len(parts) == 1 else {"anyOf": parts}}


@functools.cache
def inline_schema(cls: type) -> dict[str, Any]:
    """The JSON Schema of an attrs result class with every ``$ref`` inlined."""
    schema = json_schema(cls)
    result: dict[str, Any] = _inline(schema, schema.get("$defs", {}), 0)
    return result


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry for a JSON body with ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def array_of(cls: type) -> dict[str, Any]:
    return {"type": "array", "items": inline_schema(cls)}


def page_of(cls: type) -> dict[str, Any]:
    """``{items: [...], next_cursor: str | null}``."""
    return {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": array_of(cls),
            "next_cursor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
    }
