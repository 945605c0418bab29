"""Settings that were renamed: the old names keep working for one release, with a notice.

One concept, one name (issue 16): the primary point of contact was ``ppoc`` in three settings and
is now ``primary_contact`` everywhere. An old name still works wherever a setting is named — an
override on the command line or in a sweep, a scenario file, a parameter space, a demo link —
and prints, once per process and to stderr, one line that says what to write instead (here
wrapped)::

    orgsim: note: staffing.ppoc_span is now staffing.primary_contact_span
      (the old name will stop working in the next release)

Results folders keep the names they were written with; only new runs use the new names.
"""

from __future__ import annotations

import sys
from typing import Any

RENAMED = {
    "staffing.ppoc_span": "staffing.primary_contact_span",
    "staffing.ppoc_min_experience": "staffing.primary_contact_min_experience",
    "staffing.salary_ppoc": "staffing.salary_primary_contact",
}
_told: set[str] = set()  # old names already noted in this process


def current(key: str) -> str:
    """The name to use for setting ``key`` (dotted); notes an old name once."""
    new = RENAMED.get(key)
    if new is None:
        return key
    if key not in _told:
        _told.add(key)
        print(f"orgsim: note: {key} is now {new} (the old name will stop working in the next "
              "release)", file=sys.stderr)
    return new


def override(text: str) -> str:
    """``staffing.ppoc_span=3`` → ``staffing.primary_contact_span=3``, also after ``+``, ``++``
    or ``~``; anything else (other settings, flags) unchanged."""
    body = text.lstrip("+~")
    key, sep, value = body.partition("=")
    if key not in RENAMED:
        return text
    return text[: len(text) - len(body)] + current(key) + sep + value


def overrides(texts: list[str]) -> list[str]:
    return [override(t) for t in texts]


def tree(data: Any) -> Any:
    """Rename old settings in a nested mapping of groups (a scenario file's content:
    ``{"staffing": {"ppoc_span": 3}}``), in place; returns it."""
    for old in RENAMED:
        group, name = old.split(".")
        node = data.get(group) if hasattr(data, "get") else None
        if hasattr(node, "pop") and name in node:
            node[current(old).split(".")[1]] = node.pop(name)
    return data
