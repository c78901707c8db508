"""Check boxes whose state shows as a mark (✓ or blank), not only as a colour.

Textual draws a checked and an unchecked box both with an X, told apart by colour alone: on a
projector or in a terminal with few colours they look the same. These draw ✓ when checked and
leave the box empty when not.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.style import Style
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList

CHECKED = "✓"
UNCHECKED = " "


class _Marked:
    """The button drawn with ``MARK`` when on and blank when off."""

    MARK = CHECKED

    @property
    def _button(self) -> Content:
        button_style = self.get_visual_style("toggle--button")  # type: ignore[attr-defined]
        side_style = Style(foreground=button_style.background, background=self.background_colors[1])  # type: ignore[attr-defined]
        return Content.assemble(
            (self.BUTTON_LEFT, side_style),  # type: ignore[attr-defined]
            (self.MARK if self.value else UNCHECKED, button_style),  # type: ignore[attr-defined]
            (self.BUTTON_RIGHT, side_style),  # type: ignore[attr-defined]
        )


class MarkedCheckbox(_Marked, Checkbox):
    """A Checkbox showing ✓ when checked and an empty box when not."""


class MarkedRadioButton(_Marked, RadioButton):
    """A RadioButton showing ● when picked and an empty circle when not."""

    MARK = "●"


class MarkedSelectionList(SelectionList):
    """A SelectionList whose chosen items show ✓ and the others an empty box."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != "X":
            return strip
        _, scroll_y = self.scroll_offset
        try:
            option = self.get_option_at_index(scroll_y + y)
        except Exception:  # noqa: BLE001 - a line past the last option
            return strip
        mark = CHECKED if option.value in self._selected else UNCHECKED
        segments[1] = Segment(mark, segments[1].style)
        return Strip(segments, strip.cell_length)
