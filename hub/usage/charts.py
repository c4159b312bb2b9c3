"""Small charts as inline SVG, drawn on the server: they print, need no script and work in e-mail-free
pages and the print stylesheet alike. A weekly trend is at most a few bars, so a charting library (the
dashboard's Chart.js needs script and a canvas, which neither print nor PDF keeps) is more than needed."""
from markupsafe import Markup, escape


def bars(values, labels, title, target=None, width=320, height=110):
    """An SVG bar chart of `values` (numbers) labelled by `labels` (short text, e.g. "W48"), with an
    optional dashed `target` line. `title` is the accessible name (role="img", <title>). Returns Markup."""
    top = max([*values, target or 0, 1])
    pad, base = 4, height - 18
    slot = (width - 2 * pad) / max(len(values), 1)
    parts = [(f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>')]
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        h = (base - 14) * value / top
        x = pad + i * slot + slot * 0.15
        fill = "#1d4e9e" if i == len(values) - 1 else "#7d9fd6"  # this week darker
        parts.append(f'<rect fill="{fill}" x="{x:.1f}" y="{base - h:.1f}" width="{slot * 0.7:.1f}" '
                     f'height="{max(h, 0.5):.1f}"/>')
        parts.append(f'<text fill="#2b3440" font-size="10" x="{x + slot * 0.35:.1f}" y="{base - h - 3:.1f}" '
                     f'text-anchor="middle">{escape(value)}</text>')
        parts.append(f'<text fill="#4a5462" font-size="10" x="{x + slot * 0.35:.1f}" y="{height - 4}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    if target is not None:
        y = base - (base - 14) * target / top
        parts.append(f'<line stroke="#b3400b" stroke-width="1.5" stroke-dasharray="5 3" x1="{pad}" '
                     f'x2="{width - pad}" y1="{y:.1f}" y2="{y:.1f}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def week_labels(weeks):
    """"2026-W48" -> "W48", for the axis."""
    return [week.rsplit("-", 1)[-1] for week in weeks]
