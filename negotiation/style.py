"""The house style of the toolkit's figures: a colourblind-safe palette that also prints in grey.

Colours are Okabe and Ito's (2008, *Color Universal Design*), chosen per use so that every
pair stays apart under simulated deuteranopia and protanopia and in greyscale (the bounds
are :data:`MIN_DELTA_E` and checked in the tests with colour-science's CIEDE2000 and
Machado et al. 2009 simulation); where areas touch, hatching separates them as well.
:func:`apply` loads the matplotlib style file shipped beside this module (vector PDF with
embedded TrueType fonts, 300 dpi PNG).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
GREY = "#999999"

LINES = (OKABE_ITO["black"], OKABE_ITO["orange"], OKABE_ITO["blue"])
"""Up to three lines or markers (use distinct dashes as well)."""
SIGN = (OKABE_ITO["blue"], OKABE_ITO["orange"])
"""Two opposite signs: helps, hurts."""
SOURCED = (OKABE_ITO["blue"], GREY)
"""A parameter read off a source, and one that is an assumption."""
AREAS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["orange"], OKABE_ITO["yellow"])
"""Up to four regions that touch (in order of lightness; add :data:`HATCHES`)."""
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "++")
PLAYERS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["black"], OKABE_ITO["bluish green"],
           OKABE_ITO["reddish purple"], OKABE_ITO["sky blue"])
"""One colour per player in tree drawings (the first three are :data:`LINES`' colours)."""

PALETTES = {"lines": LINES, "sign": SIGN, "sourced": SOURCED, "areas": AREAS, "players": PLAYERS[:3]}
"""The palettes the figures use, each held to :data:`MIN_DELTA_E`."""
MIN_DELTA_E = {"deuteranopia": 10.0, "protanopia": 10.0, "greyscale": 8.0}
"""Least CIEDE2000 difference between any two colours of a palette, by view."""


def style_path() -> str:
    """The house matplotlib style file."""
    return str(resources.files("negotiation").joinpath("house.mplstyle"))


def apply() -> None:
    """Use the house style for the figures drawn from now on."""
    import matplotlib.pyplot as plt

    plt.style.use(style_path())


def parameter_label(scenario: Any, name: str, width: int = 48) -> str:
    """An axis label from a parameter's description and unit, wrapped to ``width`` characters.

    Parenthetical asides and anything after a semicolon are left out to keep labels short;
    the unit follows in parentheses.
    """
    import re
    import textwrap

    p = scenario.parameters[name]
    text = re.sub(r"\s*\([^)]*\)", "", p.description.rstrip(".")).split(";")[0].strip()
    return textwrap.fill(f"{text} ({p.unit})" if p.unit else text, width)
