"""Charts drawn on the server as SVG: no JavaScript, no CDN, and they print.

Presentation attributes only (stroke=, fill=): the CSP forbids inline style attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def trend(values: Sequence[int], days: Sequence[date], *, label: str, width: int = 280,
          height: int = 72, color: str = "#c62828") -> SafeString:
    """A 14-day line with the area under it, the last point marked, the peak labelled, and the
    first and last dates on the axis. Each point has a tooltip (<title>)."""
    n = len(values)
    pad_l, pad_r, pad_t, pad_b = 4, 4, 14, 16
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    top = max(max(values, default=0), 1)
    step = w / (n - 1) if n > 1 else 0

    def xy(i, v):
        return pad_l + i * step, pad_t + h - (v / top) * h

    points = [xy(i, v) for i, v in enumerate(values)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    base = pad_t + h
    area = f"{pad_l:.1f},{base:.1f} {line} {points[-1][0]:.1f},{base:.1f}" if points else ""
    summary = ", ".join(f"{d:%m-%d}: {v}" for d, v in zip(days, values, strict=True))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}: '
        f'{escape(summary)}" preserveAspectRatio="none">',
        f'<line x1="{pad_l}" y1="{base:.1f}" x2="{width - pad_r}" y2="{base:.1f}" '
        f'stroke="#d9dee4" stroke-width="1"/>',
    ]
    if points:
        parts.append(f'<polygon points="{area}" fill="{color}" fill-opacity="0.12"/>')
        parts.append(f'<polyline points="{line}" fill="none" stroke="{color}" '
                     f'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>')
        for (x, y), d, v in zip(points, days, values, strict=True):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="transparent">'
                         f'<title>{d:%Y-%m-%d}: {v}</title></circle>')
        lx, ly = points[-1]
        parts.append(f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="3" fill="{color}"/>')
        peak = max(range(n), key=lambda i: values[i])
        px, py = points[peak]
        anchor = "start" if peak < n / 3 else ("end" if peak > 2 * n / 3 else "middle")
        parts.append(f'<text x="{px:.1f}" y="{max(py - 4, 10):.1f}" font-size="10" '
                     f'fill="#5b6470" text-anchor="{anchor}">{values[peak]}</text>')
        parts.append(f'<text x="{pad_l}" y="{height - 3}" font-size="10" fill="#5b6470">'
                     f'{days[0]:%m-%d}</text>')
        parts.append(f'<text x="{width - pad_r}" y="{height - 3}" font-size="10" '
                     f'fill="#5b6470" text-anchor="end">{days[-1]:%m-%d}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped or numeric


def bars(rows: Sequence[tuple[str, int]], *, label: str, width: int = 320,
         bar: int = 18, color: str = "#0b57d0") -> SafeString:
    """Horizontal bars (one per sub-area) for the big screen."""
    top = max((v for _, v in rows), default=0) or 1
    label_w = 110
    height = max(len(rows), 1) * (bar + 6) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" viewBox="0 0 {width} '
             f'{height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(label)}">']
    for i, (name, v) in enumerate(rows):
        y = 2 + i * (bar + 6)
        w = (width - label_w - 40) * v / top
        parts.append(f'<text x="{label_w - 6}" y="{y + bar - 5}" font-size="12" '
                     f'text-anchor="end" fill="#1b1f24">{escape(name[:9])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" rx="3" '
                     f'fill="{color}"><title>{escape(name)}: {v}</title></rect>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 5}" font-size="12" '
                     f'fill="#5b6470">{v}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
