"""Charts as server-rendered inline SVG (no script, no CDN): presentation attributes only, since the
content security policy allows no inline style. Each chart carries a <title> and <desc>, and the
page prints the same numbers in a table beside it. Pure: no Django import."""

from html import escape

BAR_COLOURS = ("#0b57d0", "#187536", "#b00020")
COLOURS = {"green": "#187536", "amber": "#a35c00", "red": "#b00020", "none": "#5f6b7a"}


def _svg(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def monthly_bars(months: list[dict], series: list[tuple[str, str]], *, title: str, ident: str) -> str:
    """Grouped bars per month: `series` is [(key, label)], `months` [{month, key: value}]."""
    width, height, left, bottom, top = 720, 260, 56, 30, 30
    peak = max([m[k] for m in months for k, _ in series] + [1])
    plot_h = height - bottom - top
    slot = (width - left - 10) / max(len(months), 1)
    bar = max(2.0, slot * 0.8 / len(series))
    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#5f6b7a"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11" fill="#5f6b7a">{peak:,}</text>',
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" font-size="11" fill="#5f6b7a">0</text>',
    ]
    for i, m in enumerate(months):
        x0 = left + i * slot + slot * 0.1
        for j, (key, label) in enumerate(series):
            h = plot_h * m[key] / peak
            body.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" fill="{BAR_COLOURS[j % len(BAR_COLOURS)]}">'
                f"<title>{m['month']}月 {escape(label)}：{m[key]:,}</title></rect>"
            )
        body.append(
            f'<text x="{x0 + slot * 0.4:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'font-size="11" fill="#1f2933">{m["month"]}月</text>'
        )
    for j, (_, label) in enumerate(series):
        x = left + j * 150
        body.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{BAR_COLOURS[j % len(BAR_COLOURS)]}"/>'
        )
        body.append(f'<text x="{x + 16}" y="16" font-size="12" fill="#1f2933">{escape(label)}</text>')
    desc = "；".join(
        f"{m['month']}月 " + "，".join(f"{label}{m[key]:,}" for key, label in series) for m in months
    )
    return _svg(width, height, title, desc, body, ident)


def goal_bars(figures: list[dict], *, title: str, ident: str) -> str:
    """One horizontal bar per KPI (0–100 %), coloured by status, with the goal and the pro-rata
    pace marked: figures are [{label, value, goal, pace, colour}] with fractions or None."""
    width, row, left = 720, 30, 190
    height = row * len(figures) + 30
    span = width - left - 70
    body = []
    for i, f in enumerate(figures):
        y = 10 + i * row
        body.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" font-size="12" fill="#1f2933">{escape(f["label"])}</text>'
        )
        body.append(f'<rect x="{left}" y="{y + 4}" width="{span}" height="14" fill="#eef1f5"/>')
        value = f["value"]
        if value is not None:
            w = span * min(float(value), 1.0)
            body.append(
                f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="14" fill="{COLOURS[f["colour"]]}"/>'
            )
        for key, dash in (("goal", ""), ("pace", ' stroke-dasharray="3 2"')):
            if f.get(key) is not None:
                x = left + span * min(float(f[key]), 1.0)
                body.append(
                    f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 22}" stroke="#1f2933" stroke-width="2"{dash}/>'
                )
        text = "—" if value is None else f"{float(value) * 100:.1f}%"
        body.append(f'<text x="{left + span + 6}" y="{y + 15}" font-size="12" fill="#1f2933">{text}</text>')
    body.append(
        f'<text x="{left}" y="{height - 6}" font-size="11" fill="#5f6b7a">实线：年度目标；虚线：按日期折算的进度线</text>'
    )
    desc = "；".join(
        f"{f['label']} "
        + ("无数据" if f["value"] is None else f"{float(f['value']) * 100:.1f}%")
        + ("" if f.get("goal") is None else f"，目标 {float(f['goal']) * 100:.1f}%")
        for f in figures
    )
    return _svg(width, height, title, desc, body, ident)


def _scale(peak: float) -> float:
    """The axis' end: the next 10 % step above the peak (5 % below 10 %), never past 100 %."""
    step = 0.05 if peak <= 0.1 else 0.1
    steps = max(1, -(-round(peak * 1000) // round(step * 1000)))
    return min(1.0, steps * step)


def ranked_bars(rows: list[dict], *, goal, pace, title: str, ident: str) -> str:
    """One KPI compared across departments: a horizontal bar per row, best first (no value last),
    coloured by status, with the goal (solid) and the pro-rata pace (dashed) across all bars.
    `rows` are [{label, value, colour}] with fractions or None; the axis ends at the next round
    step above the largest value or goal, so that a small coverage still shows its differences."""
    ranked = sorted(rows, key=lambda r: (r["value"] is None, -(r["value"] or 0)))
    width, row, left, right, top = 580, 24, 170, 56, 8
    height = top + row * len(ranked) + 30
    span = width - left - right
    marks = [float(v) for v in [goal, pace, *(r["value"] for r in ranked)] if v is not None]
    end = _scale(max(marks + [0.0]))
    body = []
    for i, r in enumerate(ranked):
        y = top + i * row
        body.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="#1f2933">'
            f"{i + 1}. {escape(r['label'])}</text>"
        )
        value = r["value"]
        text = "无数据" if value is None else f"{float(value) * 100:.1f}%"
        if value is not None:
            w = span * min(float(value) / end, 1.0)
            body.append(
                f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="14" fill="{COLOURS[r["colour"]]}">'
                f"<title>{escape(r['label'])}：{text}</title></rect>"
            )
        body.append(f'<text x="{left + span + 6}" y="{y + 15}" font-size="12" fill="#1f2933">{text}</text>')
    bottom = top + row * len(ranked)
    for key, value, dash in (("goal", goal, ""), ("pace", pace, ' stroke-dasharray="3 2"')):
        if value is not None:
            x = left + span * min(float(value) / end, 1.0)
            body.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#1f2933" '
                f'stroke-width="2"{dash} data-line="{key}"/>'
            )
    body.append(f'<line x1="{left}" y1="{bottom}" x2="{left + span}" y2="{bottom}" stroke="#5f6b7a"/>')
    body.append(
        f'<text x="{left}" y="{bottom + 14}" text-anchor="middle" font-size="11" fill="#5f6b7a">0</text>'
    )
    body.append(
        f'<text x="{left + span}" y="{bottom + 14}" text-anchor="middle" font-size="11" fill="#5f6b7a">'
        f"{end * 100:.0f}%</text>"
    )
    if goal is not None:
        body.append(
            f'<text x="{left}" y="{height - 2}" font-size="11" fill="#5f6b7a">'
            f"实线：年度目标 {float(goal) * 100:.1f}%；虚线：按日期折算的进度线</text>"
        )
    desc = "；".join(
        f"第{i + 1}名 {r['label']} " + ("无数据" if r["value"] is None else f"{float(r['value']) * 100:.1f}%")
        for i, r in enumerate(ranked)
    ) + ("" if goal is None else f"；年度目标 {float(goal) * 100:.1f}%")
    return _svg(width, height, title, desc, body, ident)
