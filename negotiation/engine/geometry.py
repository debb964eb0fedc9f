"""Exact plane geometry for two-player payoff sets (works on Fractions as well as floats)."""

from __future__ import annotations

from typing import Any

Point = tuple[Any, Any]


def convex_hull(points: list[Point]) -> list[Point]:
    """Convex hull, counter-clockwise from the lowest-leftmost point (Andrew 1979), exact on Fractions."""
    points = sorted(set(points))
    if len(points) <= 2:
        return points

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for pt in points:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], pt) <= 0:
            lower.pop()
        lower.append(pt)
    upper: list = []
    for pt in reversed(points):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], pt) <= 0:
            upper.pop()
        upper.append(pt)
    return lower[:-1] + upper[:-1]


def clip(poly: list[Point], axis: int, bound: Any) -> list[Point]:
    """The polygon cut by ``coordinate[axis] >= bound`` (Sutherland and Hodgman 1974)."""
    out = []
    for k, cur in enumerate(poly):
        prev = poly[k - 1]
        cin, pin = cur[axis] >= bound, prev[axis] >= bound
        if cin != pin and len(poly) > 1:
            t = (bound - prev[axis]) / (cur[axis] - prev[axis])
            out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
        if cin:
            out.append(cur)
    kept = [pt for k, pt in enumerate(out) if pt != out[k - 1]]
    return kept or out[:1]
