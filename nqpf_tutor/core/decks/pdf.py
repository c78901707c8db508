"""The paper test as a PDF that prints as it is on A4 or Letter (fpdf2).

``paper_pdf(paper)`` lays out a ``core.export.Paper`` (the same questions, in the same order, as
the markdown paper): a title, name / class / date lines, numbered questions with room to answer
(a box to tick for each option, True / False boxes, lines for a short answer, blanks in a cloze,
a box to number each item of an order question), the version on every page, "Page 1 of 3" at
the foot of each page, and no question split across pages. ``key_pdf(paper)`` is the answer key
with the source of each answer (or ``paper_pdf(..., with_key=True)`` puts it at the end).

Fonts ship with the package (``nqpf_tutor/fonts``): DejaVu Sans for Latin text, curly quotes,
dashes and accented names, and Droid Sans Fallback for Chinese (and any other character DejaVu
lacks). Card text is data: it is cleaned of control characters (``core.text``) and never read
as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from nqpf_tutor.core.export import LETTERS, Paper, key_answer, question_kind
from nqpf_tutor.core.text import one_line

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "fonts"
FONT = "DejaVu"
FALLBACK = "DroidFallback"
#: --paper choices -> fpdf2 page formats (portrait).
PAPER_SIZES = {"a4": "A4", "letter": "Letter"}
MARGIN = 18.0  # mm, left and right
TOP = 20.0
BOTTOM = 18.0
NUMBER_W = 10.5  # the question number's column (room for "999.")
LINE = 5.2  # body line height, mm
GREY = (90, 90, 90)
ORDER_GAP = 2.0  # mm between the items of an order question (their number boxes apart)


def missing_line(missing: set[str]) -> str:
    """One line saying which characters no font had (each shown escaped if it is not printable)."""
    from nqpf_tutor.core.text import escape

    chars = sorted(missing)
    shown = " ".join(escape(ch) for ch in chars[:12]) + (" …" if len(chars) > 12 else "")
    n = len(chars)
    return f"{n} character{'s' * (n != 1)} no font of the PDF has print as {MISSING}: {shown}"


def _cover(pdf: "_PaperPDF", text: str) -> str:
    """``text`` with each character no font has as ``MISSING`` (noted in ``pdf.missing``)."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ord(ch) in pdf._covered or ch in "\n\t\r":
            out.append(ch)
        else:
            pdf.missing.add(ch)
            out.append(MISSING)
    return "".join(out)


def _text(s: object) -> str:
    return one_line(s)


#: What a character no shipped font has (emoji, Hangul, mathematical letters…) prints as: a box
#: the reader sees (fpdf2 alone would leave it out without a trace).
MISSING = "\u25a1"


class _PaperPDF(FPDF):
    def __init__(self, size: str, title: str, version: str, wide: bool = True,
                 missing: set[str] | None = None) -> None:
        fmt = PAPER_SIZES.get(size.lower())
        if fmt is None:
            raise ValueError(f"paper size must be one of {', '.join(PAPER_SIZES)}, not {size!r}")
        super().__init__(orientation="portrait", unit="mm", format=fmt)
        self.paper_title = _text(title)
        self.version = _text(version)
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        if wide:  # Chinese (or other characters DejaVu lacks): the 4 MB fallback is read only then
            self.add_font(FALLBACK, "", str(FONT_DIR / "DroidSansFallbackFull.ttf"))
            self.set_fallback_fonts([FALLBACK], exact_match=False)
        #: Characters no font has, shown as ``MISSING`` (the caller's set, to say so).
        self.missing = missing if missing is not None else set()
        self._covered: set[int] = set(self.fonts[FONT.lower()].cmap)
        if wide:
            self._covered |= set(self.fonts[FALLBACK.lower()].cmap)
        self.set_margins(MARGIN, TOP, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.alias_nb_pages()
        self.set_title(self.paper_title + (f" (version {self.version})" if self.version else ""))
        self.set_creator("nqpf-tutor")

    def version_label(self) -> str:
        return f"Version {self.version}" if self.version else ""

    def normalize_text(self, text: str) -> str:
        return super().normalize_text(_cover(self, text))

    def header(self) -> None:
        self.set_font(FONT, "", 8.5)
        self.set_text_color(*GREY)
        self.set_xy(MARGIN, 9)
        label = self.version_label()
        right_w = self.get_string_width(label) + 2 if label else 0
        self.cell(self.epw - right_w, 5, self._fit(self.paper_title, self.epw - right_w - 4))
        if label:
            self.set_font(FONT, "B", 9)
            self.cell(right_w, 5, label, align="R")
        self.set_draw_color(*GREY)
        self.set_line_width(0.2)
        self.line(MARGIN, 14.5, self.w - MARGIN, 14.5)
        self.set_text_color(0, 0, 0)
        self.set_xy(MARGIN, TOP)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, "", 8.5)
        self.set_text_color(*GREY)
        label = self.version_label()
        text = (f"{label}  ·  " if label else "") + f"Page {self.page_no()} of {{nb}}"
        self.cell(0, 5, text, align="C")
        self.set_text_color(0, 0, 0)

    def _fit(self, text: str, width: float) -> str:
        """``text`` cut (with …) to fit ``width`` mm in the current font."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"


def _keep_together(pdf: _PaperPDF, height: float, draw: Callable[[], None]) -> None:
    """Draw a block of ``height`` mm on one page: on the next page when it would not fit on this
    one (a block taller than a page still breaks, as it must)."""
    if pdf.get_y() + height > pdf.page_break_trigger and pdf.get_y() > TOP + 1:
        pdf.add_page()
    draw()


def _lines(pdf: FPDF, w: float, text: str, size: float = 10.5, style: str = "") -> int:
    """How many lines ``text`` takes in a column ``w`` mm wide."""
    pdf.set_font(FONT, style, size)
    return max(1, len(pdf.multi_cell(w, LINE, text, align="L", dry_run=True, output="LINES")))


def _question_height(pdf: FPDF, q) -> float:
    """The height ``_question`` draws, in mm (kept in step with it)."""
    kind = question_kind(q)
    w = pdf.epw - NUMBER_W
    h = _lines(pdf, w, _text(q.prompt)) * LINE + 1
    if kind == "choice":
        h += sum(_lines(pdf, w - 12.5, _text(o)) * LINE + 0.8 for o in q.options)
    elif kind == "truefalse":
        h += LINE + 1
    elif kind == "typed":
        h += 2 * 7 + 1
    elif kind == "order":
        h += 4.5 + 0.5 + sum(_lines(pdf, w - 11, _text(it)) * LINE + ORDER_GAP for it in q.items)
    return h + 4


def _key_height(pdf: FPDF, q, source: str) -> float:
    w = pdf.epw - NUMBER_W
    h = _lines(pdf, w, _text(key_answer(q)), 10, "B") * LINE + _lines(pdf, w, _text(q.prompt), 8.5) * LINE
    if source:
        h += _lines(pdf, w, "Source: " + _text(source), 8.5) * LINE
    return h + 2.5


def _write_lines(pdf: FPDF, x: float, w: float, text: str, size: float = 10.5, style: str = "") -> None:
    pdf.set_font(FONT, style, size)
    pdf.set_x(x)
    pdf.multi_cell(w, LINE, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _box(pdf: FPDF, x: float, y: float, w: float = 3.6, h: float = 3.6) -> None:
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    pdf.rect(x, y, w, h)


def _title_block(pdf: _PaperPDF, heading: str, n: int | None, instructions: str | None) -> None:
    pdf.set_font(FONT, "B", 17)
    pdf.multi_cell(0, 8, heading, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if pdf.version:
        pdf.set_font(FONT, "B", 12)
        pdf.cell(0, 7, pdf.version_label(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _name_lines(pdf: _PaperPDF) -> None:
    pdf.set_font(FONT, "", 10.5)
    y = pdf.get_y() + 4
    fields = [("Name", 0.5), ("Class", 0.22), ("Date", 0.28)]
    x = MARGIN
    for label, share in fields:
        w = pdf.epw * share
        pdf.set_xy(x, y)
        lw = pdf.get_string_width(label + ":") + 2
        pdf.cell(lw, LINE, label + ":")
        pdf.set_line_width(0.3)
        pdf.line(x + lw, y + LINE - 0.6, x + w - 4, y + LINE - 0.6)
        x += w
    pdf.set_xy(MARGIN, y + LINE + 4)


def _number(pdf: FPDF, i: int, size: float) -> tuple[float, float]:
    """``i.`` in bold in the number column at the current line; returns the text column's x
    and width."""
    y = pdf.get_y()
    pdf.set_font(FONT, "B", size)
    pdf.set_xy(MARGIN, y)
    pdf.cell(NUMBER_W, LINE, f"{i}.")
    xt = MARGIN + NUMBER_W
    pdf.set_xy(xt, y)
    return xt, pdf.epw - NUMBER_W


def _question(pdf: FPDF, i: int, q) -> None:
    kind = question_kind(q)
    xt, w = _number(pdf, i, 10.5)
    _write_lines(pdf, xt, w, _text(q.prompt))
    pdf.ln(1)
    if kind == "choice":
        for j, opt in enumerate(q.options):
            y = pdf.get_y()
            _box(pdf, xt + 1, y + 0.8)
            pdf.set_font(FONT, "B", 10.5)
            pdf.set_xy(xt + 6.5, y)
            pdf.cell(6, LINE, LETTERS[j])
            _write_lines(pdf, xt + 12.5, w - 12.5, _text(opt))
            pdf.ln(0.8)
    elif kind == "truefalse":
        y = pdf.get_y()
        x = xt + 1
        for j, opt in enumerate(q.options):
            _box(pdf, x, y + 0.8)
            pdf.set_font(FONT, "B", 10.5)
            pdf.set_xy(x + 5.5, y)
            pdf.cell(6, LINE, LETTERS[j])
            pdf.set_font(FONT, "", 10.5)
            pdf.cell(24, LINE, opt)
            x += 40
        pdf.set_xy(MARGIN, y + LINE + 1)
    elif kind == "typed":
        pdf.set_line_width(0.25)
        pdf.set_draw_color(120, 120, 120)
        for _ in range(2):
            y = pdf.get_y() + 7
            pdf.line(xt, y, xt + w, y)
            pdf.set_y(y)
        pdf.ln(1)
    elif kind == "order":
        pdf.set_font(FONT, "", 8.5)
        pdf.set_text_color(*GREY)
        pdf.set_x(xt)
        pdf.cell(w, 4.5, f"Number the items 1 to {len(q.items)} in the boxes (1 first).",
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(0.5)
        for item in q.items:
            y = pdf.get_y()
            _box(pdf, xt + 1, y, 7, LINE)
            _write_lines(pdf, xt + 11, w - 11, _text(item))
            pdf.ln(ORDER_GAP)
    pdf.ln(4)


def _key_entry(pdf: FPDF, i: int, q, source: str) -> None:
    xt, w = _number(pdf, i, 10)
    _write_lines(pdf, xt, w, _text(key_answer(q)), size=10, style="B")
    pdf.set_text_color(*GREY)
    _write_lines(pdf, xt, w, _text(q.prompt), size=8.5)
    if source:
        _write_lines(pdf, xt, w, "Source: " + _text(source), size=8.5)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2.5)


def _key(pdf: _PaperPDF, paper: Paper, sources: dict[str, str]) -> None:
    for i, q in enumerate(paper.questions, 1):
        source = sources.get(q.card.uid, "")
        _keep_together(pdf, _key_height(pdf, q, source), lambda i=i, q=q: _key_entry(pdf, i, q, source))


def _needs_fallback(paper: Paper, sources: dict[str, str] | None) -> bool:
    """Whether any text of the paper has characters beyond DejaVu Sans (CJK and later blocks)."""
    texts = [paper.title, *(sources or {}).values()]
    for q in paper.questions:
        texts += [q.prompt, q.answer, *q.options, *getattr(q, "items", ())]
    return any(ord(ch) >= 0x2E80 for t in texts for ch in t)


def paper_pdf(paper: Paper, *, size: str = "a4", with_key: bool = False, sources: dict[str, str] | None = None,
              missing: set[str] | None = None) -> bytes:
    """The paper as PDF bytes; ``with_key``: the answer key on new pages at the end;
    ``missing``: gets the characters no shipped font has (printed as a box)."""
    pdf = _PaperPDF(size, paper.title, paper.version, _needs_fallback(paper, sources), missing)
    pdf.add_page()
    _title_block(pdf, _text(paper.title), len(paper.questions), None)
    _name_lines(pdf)
    pdf.set_font(FONT, "", 9.5)
    pdf.multi_cell(0, 5, paper.instructions(), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for i, q in enumerate(paper.questions, 1):
        _keep_together(pdf, _question_height(pdf, q), lambda i=i, q=q: _question(pdf, i, q))
    if with_key:
        pdf.add_page()
        pdf.set_font(FONT, "B", 15)
        pdf.cell(0, 8, "Answer key" + (f" — version {pdf.version}" if pdf.version else ""),
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        _key(pdf, paper, sources or {})
    return bytes(pdf.output())


def key_pdf(paper: Paper, *, size: str = "a4", sources: dict[str, str] | None = None,
            missing: set[str] | None = None) -> bytes:
    """The answer key alone (a file for the teacher); ``missing`` as ``paper_pdf``."""
    pdf = _PaperPDF(size, paper.title, paper.version, _needs_fallback(paper, sources), missing)
    pdf.add_page()
    _title_block(pdf, "Answer key: " + _text(paper.title), None, None)
    pdf.ln(2)
    _key(pdf, paper, sources or {})
    return bytes(pdf.output())
