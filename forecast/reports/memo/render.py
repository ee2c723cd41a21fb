"""Renderers of the memo's blocks: Markdown (PNG figures beside it), self-contained HTML (both from
Jinja2 templates in ``templates/``) and PDF (fpdf2)."""

from __future__ import annotations

import base64
import io
from pathlib import Path


def _environment(autoescape: bool):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("forecast.reports.memo", "templates"),
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=autoescape,
        lstrip_blocks=autoescape,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["cell"] = lambda x: str(x).replace("|", "\\|").replace("\n", " ")
    env.filters["inline"] = _html_inline
    return env


def _numbered(blocks: list[tuple]) -> list[dict]:
    """The blocks as dicts for the templates, figures numbered in order."""
    out, n_fig = [], 0
    for b in blocks:
        kind = b[0]
        if kind == "figure":
            n_fig += 1
            out.append({"kind": kind, "figure": b[1], "number": n_fig})
        elif kind == "list":
            out.append({"kind": kind, "items": b[1]})
        elif kind == "table":
            out.append({"kind": kind, "header": b[1], "rows": b[2]})
        else:
            out.append({"kind": kind, "text": b[1]})
    return out


def render_markdown(blocks: list[tuple], image_src) -> str:
    """Markdown (template ``memo.md.j2``); ``image_src(figure)`` gives each image's path."""
    macros = _environment(autoescape=False).get_template("memo.md.j2").module
    out = []
    for b in _numbered(blocks):
        kind = b["kind"]
        if kind == "figure":
            out.append(macros.figure(b["number"], b["figure"], image_src(b["figure"])))
        elif kind == "list":
            out.append(macros.list(b["items"]))
        elif kind == "table":
            out.append(macros.table(b["header"], b["rows"]))
        else:
            out.append(getattr(macros, kind)(b["text"]))
    return "\n\n".join(str(x) for x in out) + "\n"


def _html_inline(text: str):
    """Escaped text with `code` spans as <code> elements."""
    from markupsafe import Markup, escape

    parts = str(text).split("`")
    return Markup("".join(str(escape(p)) if i % 2 == 0 else f"<code>{escape(p)}</code>" for i, p in enumerate(parts)))


def render_html(blocks: list[tuple]) -> str:
    """One self-contained HTML file (template ``memo.html.j2``): inline CSS, images as base64
    data URIs, no external links needed to display it."""
    items = _numbered(blocks)
    for b in items:
        if b["kind"] == "figure":
            b["src"] = "data:image/png;base64," + base64.b64encode(b["figure"].png).decode("ascii")
    title = next((b["text"] for b in items if b["kind"] == "title"), "memo")
    return _environment(autoescape=True).get_template("memo.html.j2").render(title=title, blocks=items)


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def render_pdf(blocks: list[tuple]) -> bytes:
    """A4 PDF with fpdf2, in DejaVu Sans (shipped with matplotlib, so any character prints)."""
    try:
        from fpdf import FPDF
        from fpdf.enums import XPos, YPos
        from fpdf.fonts import FontFace
    except ImportError:
        from ...errors import ForecastError

        raise ForecastError(
            "PDF output needs the optional 'pdf' extra: pip install 'capability-forecast[pdf]' "
            "(or choose --format html,md)"
        ) from None

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    fonts = _font_dir()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
    pdf.add_page()
    nl = dict(new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def text(t, size=9.5, style="", h=4.8):
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(0, h, str(t).replace("`", ""), align="L", **nl)

    n_fig = 0
    for b in blocks:
        kind = b[0]
        if kind == "title":
            text(b[1], 16, "B", 8)
        elif kind == "meta":
            text(b[1], 8.5, "I")
            pdf.ln(2)
        elif kind == "h2":
            if pdf.get_y() > pdf.h - 45:
                pdf.add_page()
            pdf.ln(3)
            text(b[1], 12.5, "B", 7)
        elif kind == "h3":
            pdf.ln(1)
            text(b[1], 10.5, "B", 6)
        elif kind == "p":
            text(b[1])
            pdf.ln(1.5)
        elif kind == "list":
            for item in b[1]:
                pdf.set_font("DejaVu", "", 9)
                pdf.set_x(pdf.l_margin + 3)
                pdf.multi_cell(0, 4.5, "\u2022 " + str(item).replace("`", ""), align="L", **nl)
                pdf.ln(0.6)
            pdf.ln(1)
        elif kind == "table":
            header, rows = b[1], b[2]
            ncol = len(header)
            size = 8 if ncol <= 5 else (7 if ncol <= 8 else 6)
            pdf.set_font("DejaVu", "", size)
            first = 2.2 if ncol > 3 else 1.5
            widths = [first] + [1.0] * (ncol - 1)
            if header and header[-1].endswith("interval"):
                widths[-1] = 2.0
            pdf.set_draw_color(170, 170, 170)
            head_style = FontFace(family="DejaVu", emphasis="BOLD", fill_color=(235, 235, 235))
            with pdf.table(
                col_widths=widths,
                text_align="LEFT",
                line_height=size * 0.5,
                first_row_as_headings=True,
                headings_style=head_style,
            ) as table:
                r = table.row()
                for h in header:
                    r.cell(str(h).replace("`", ""))
                for row in rows:
                    r = table.row()
                    for c in row:
                        r.cell(str(c).replace("`", ""))
            pdf.ln(2)
        elif kind == "figure":
            n_fig += 1
            f = b[1]
            from PIL import Image

            with Image.open(io.BytesIO(f.png)) as im:
                w_px, h_px = im.size
            w = pdf.epw
            h = w * h_px / w_px
            # wide figures at most 125 mm tall, so that two share a page; tall ones up to a page
            max_h = pdf.h - pdf.t_margin - pdf.b_margin - 25 if h_px > 0.9 * w_px else 125.0
            if h > max_h:
                w, h = w * max_h / h, max_h
            if pdf.get_y() + h + 15 > pdf.h - pdf.b_margin:
                pdf.add_page()
            pdf.image(io.BytesIO(f.png), x=pdf.l_margin + (pdf.epw - w) / 2, w=w, h=h)
            pdf.ln(1)
            pdf.set_font("DejaVu", "B", 8.5)
            pdf.multi_cell(0, 4.2, f"Figure {n_fig}. {f.title}.", **nl)
            text(f.caption, 8, "", 4)
            pdf.ln(3)
    return bytes(pdf.output())
