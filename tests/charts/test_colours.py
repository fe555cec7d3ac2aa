"""Every colour a chart draws with stands out from both themes' backgrounds (WCAG 2.1, 1.4.11:
graphical objects need 3:1 against what is around them). Issue 14, item 13."""

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

LIGHT, DARK = "#ffffff", "#0e1117"  # Streamlit's light and dark backgrounds
# Colours that are not drawn against the background: heatmap cells and the text inside them, and
# the funnel names' ink on their light box (test_consistency_charts checks it against the box).
NOT_ON_BACKGROUND = {
    "#aeb6bf",
    "#922b21",
    "#e6b0aa",
    "#f7f7f7",
    "#a9cce3",
    "#1a5276",
    "#1c2833",
    "#262730",
    "#c8ccd2",
}
SOURCES = sorted((ROOT / "servicequality" / "charts").glob("*.py")) + sorted((ROOT / "pages").glob("*.py"))


def luminance(colour: str) -> float:
    """Relative luminance, WCAG 2.1: sRGB channels linearised, 0.2126 R + 0.7152 G + 0.0722 B."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_on_known_pairs():
    # WCAG's own extremes and the caption grey the issue measured: 21:1, 1:1, 3.88:1.
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#777777") == pytest.approx(1.0)
    assert contrast("#828180", "#ffffff") == pytest.approx(3.88, abs=0.01)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(Path(p).relative_to(ROOT)))
def test_chart_colours_reach_3_to_1_on_both_themes(source):
    colours = {c.lower() for c in re.findall(r'"(#[0-9a-fA-F]{6})"', source.read_text())} - NOT_ON_BACKGROUND
    weak = {c: (round(contrast(c, LIGHT), 2), round(contrast(c, DARK), 2)) for c in colours}
    weak = {c: r for c, r in weak.items() if min(r) < 3}
    assert not weak, f"below 3:1 on white or on the dark theme: {weak}"
