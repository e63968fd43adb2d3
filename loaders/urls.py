"""Node URLs as they may be shown: in messages, logs and a block's `source` property."""

from __future__ import annotations

import httpx


def shown(url: str) -> str:
    """The URL without the user and password a node URL may carry
    (`http://user:secret@host:8332/`): they must not end up in the graph or in an error."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "<a node URL that does not parse>"
    if parsed.userinfo:
        return str(parsed.copy_with(username=None, password=None))
    return url
