"""One look for every figure: the same colour for the same design everywhere.

Colours are the Okabe–Ito palette, which stays distinguishable with the common forms of colour
blindness.
"""

from __future__ import annotations

DESIGN_COLOURS = {
    "traditional": "#E69F00",  # orange
    "micro_enterprise": "#0072B2",  # blue
    "matrix": "#009E73",  # bluish green
    "pilot_rollout": "#CC79A7",  # reddish purple
}
OTHER_COLOURS = ("#56B4E9", "#D55E00", "#F0E442", "#000000")
TEMPLATE = "plotly_white"  # plotly's white background with light grid lines
FONT = dict(family="Helvetica, Arial, sans-serif", size=14)
# Better / worse in the difference plots: shape and shade, never a design's colour (orange is
# "traditional", not "worse").
VERDICT_COLOURS = {"better": "#000000", "worse": "#FFFFFF", "no clear difference": "#BBBBBB"}
VERDICT_SYMBOLS = {"better": "triangle-up", "worse": "triangle-down",
                   "no clear difference": "circle-open"}
# The phases of one job's timeline, in order: light to dark grey.
PHASE_COLOURS = ("#DDDDDD", "#AAAAAA", "#777777", "#333333")


def colour(design: str, index: int = 0) -> str:
    return DESIGN_COLOURS.get(design, OTHER_COLOURS[index % len(OTHER_COLOURS)])


def band(hex_colour: str, alpha: float = 0.2) -> str:
    """The design's colour, translucent, for interval bands."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
