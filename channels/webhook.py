"""The generic webhook's JSON body: the user's template, filled with the reminder's fields.

Apprise's json:// sends a fixed envelope, so the body template is filled here. The
template is JSON; inside its strings, {{ name }} is replaced by that field's text, and
a string that is exactly "{{ items }}" becomes the list of due items.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from translations import _

STANDARD_BODY = '{"title": "{{ title }}", "message": "{{ body }}", "items": "{{ items }}"}'
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
FIELDS = ("title", "body", "url", "count", "items")


def check_template(template: str) -> None:
    """ValueError saying what is wrong with a body template, or nothing if it is usable."""
    try:
        document = json.loads(template or STANDARD_BODY)
    except json.JSONDecodeError as exc:
        raise ValueError(
            _("This is not JSON: %(problem)s (line %(line)d).", problem=exc.msg, line=exc.lineno)
        ) from exc
    unknown = sorted(set(PLACEHOLDER.findall(template)) - set(FIELDS))
    if unknown:
        names = ", ".join(f"{{{{ {name} }}}}" for name in FIELDS)
        raise ValueError(
            _(
                "Unknown field %(field)s: the fields are %(fields)s.",
                field=f"{{{{ {unknown[0]} }}}}",
                fields=names,
            )
        )
    if not isinstance(document, dict | list):
        raise ValueError(_("The body must be a JSON object or list."))


def render_body(template: str, fields: Mapping[str, Any]) -> Any:
    """The JSON document to send: template with every placeholder filled from fields."""

    def fill(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        if isinstance(node, list):
            return [fill(value) for value in node]
        if isinstance(node, str):
            whole = PLACEHOLDER.fullmatch(node.strip())
            if whole and not isinstance(fields.get(whole[1]), str):
                return fields.get(whole[1])
            return PLACEHOLDER.sub(lambda match: str(fields.get(match[1], "")), node)
        return node

    return fill(json.loads(template or STANDARD_BODY))
