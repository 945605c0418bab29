"""Where the frontline people of an organisation file sit (``staffing.path`` with a region
column; the file is read and checked by sim/configuration/org_file.py).

Each frontline function's positions are dealt to regions in proportion to the file's headcounts,
interleaved (the k-th person of a region of h people comes at (k + ½)/h), so that when equal
budget scales a design's staff, the extra people keep the file's proportions. Without a file, or
without a region column, people are dealt round-robin as before.
"""

from __future__ import annotations

from sim.configuration.org_file import (
    FRONTLINE,
    ROLES,
    market_regions,
    read_org_file,
    region_index,
)
from sim.configuration.schema import SimConfig


def interleave(regions: list[tuple[int, int]]) -> list[int]:
    """One region per position for (region, headcount) pairs, spread evenly: [(0, 2), (1, 1)]
    → [0, 1, 0]."""
    slots = [((k + 0.5) / n, order, region) for order, (region, n) in enumerate(regions)
             for k in range(n)]
    return [region for _, _, region in sorted(slots)]


def frontline_regions(config: SimConfig) -> dict[str, list[int]] | None:
    """Function (sales, medical, access) → the region of each successive position; None when
    people are dealt round-robin."""
    s = config.staffing
    if s.source != "file":
        return None
    table = read_org_file(s.path)
    if table.region is None:
        return None
    index = region_index(table, market_regions(config), config.market.regions)
    return {ROLES[role][2]: interleave([(index[r], n) for r, n in table.regions_of(role)])
            for role in FRONTLINE}
