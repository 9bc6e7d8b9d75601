#!/usr/bin/env python3
"""Draws bench/run's samples as SVG bar charts, one file per scenario.

Usage: chart.py SAMPLES.tsv OUT_DIR

Each line of SAMPLES.tsv is `chart<TAB>title<TAB>unit<TAB>group<TAB>who<TAB>value`:
one measurement of one tool (`who`) in one round. A chart has one cluster
of bars per group (a concurrency level, a datagram size; one unnamed
cluster when the scenario has none), one bar per tool at the median of its
samples, and a whisker from the smallest sample to the largest, so a reader
sees both the comparison and how much the rounds disagreed. netkit's own
tools are drawn in one colour, every peer in grey.

Writes the SVG text directly: no plotting library, nothing to install.
"""

import collections
import html
import os
import statistics
import sys

OURS = {"http-serve", "tcp-echo", "udp-echo", "http-get", "ours"}
OUR_COLOUR = "#2b6cb0"
PEER_COLOURS = ["#a0aec0", "#718096", "#cbd5e0", "#4a5568", "#e2e8f0"]
BAR, GAP, PLOT_H = 26, 22, 260
LEFT, TOP, BOTTOM = 70, 58, 70


def nice_max(value):
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at or above
    value (the axis top, in five equal steps)."""
    if value <= 0:
        return 1.0
    scale = 10 ** len(str(int(value))) / 10
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale


def short(value):
    """A number as a reader scans it: 169k, 2.6k, 0.98, 1400."""
    if value == 0:
        return "0"
    if value >= 10000:
        return "%.0fk" % (value / 1000)
    if value >= 100:
        return "%.0f" % value
    if value >= 10:
        return "%.1f" % value
    return "%.2f" % value


def draw(title, unit, groups):
    """groups: ordered {group: ordered {who: [samples]}} -> SVG text."""
    tools = []
    for per_tool in groups.values():
        for who in per_tool:
            if who not in tools:
                tools.append(who)
    colour = {}
    peers = iter(PEER_COLOURS * 4)
    for who in tools:
        colour[who] = OUR_COLOUR if who in OURS else next(peers)
    top = nice_max(max(max(s) for per_tool in groups.values() for s in per_tool.values()))
    cluster = len(tools) * BAR
    legend = LEFT + sum(24 + 7 * len(who) for who in tools)
    # Room for the title too (about 9 pixels a character at its size).
    width = max(legend, 460, LEFT + 9 * len(title), LEFT + len(groups) * (cluster + GAP) + GAP + 20)
    height = TOP + PLOT_H + BOTTOM
    y = lambda v: TOP + PLOT_H - v / top * PLOT_H  # noqa: E731
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">'
        % (width, height),
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>' % (LEFT, html.escape(title)),
        '<text x="%d" y="40" fill="#4a5568">%s; bar: median, whisker: min to max</text>' % (LEFT, html.escape(unit)),
    ]
    for i in range(6):
        v = top * i / 5
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e2e8f0"/>' % (LEFT, width - 10, y(v), y(v)))
        out.append('<text x="%d" y="%.1f" text-anchor="end" fill="#4a5568">%s</text>' % (LEFT - 6, y(v) + 4, short(v)))
    x = LEFT + GAP
    for group, per_tool in groups.items():
        for i, who in enumerate(tools):
            samples = per_tool.get(who)
            if not samples:
                continue
            bx = x + i * BAR
            med, lo, hi = statistics.median(samples), min(samples), max(samples)
            out.append(
                '<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s: median %s, min %s, max %s</title></rect>'
                % (bx + 2, y(med), BAR - 4, TOP + PLOT_H - y(med), colour[who], html.escape(who), short(med), short(lo), short(hi))
            )
            cx = bx + BAR / 2
            out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="black"/>' % (cx, cx, y(lo), y(hi)))
            for v in (lo, hi):
                out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="black"/>' % (cx - 5, cx + 5, y(v), y(v)))
            out.append(
                '<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%s</text>' % (cx, y(hi) - 4, short(med))
            )
        if group:
            out.append(
                '<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                % (x + cluster / 2, TOP + PLOT_H + 18, html.escape(group))
            )
        x += cluster + GAP
    lx = LEFT
    for who in tools:
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (lx, height - 28, colour[who]))
        out.append('<text x="%d" y="%d">%s</text>' % (lx + 16, height - 18, html.escape(who)))
        lx += 24 + 7 * len(who)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: chart.py SAMPLES.tsv OUT_DIR")
    charts = collections.OrderedDict()
    with open(sys.argv[1]) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 6:
                continue
            chart, title, unit, group, who, value = parts
            try:
                number = float(value)
            except ValueError:
                continue
            entry = charts.setdefault(chart, (title, unit, collections.OrderedDict()))
            entry[2].setdefault(group, collections.OrderedDict()).setdefault(who, []).append(number)
    os.makedirs(sys.argv[2], exist_ok=True)
    for chart, (title, unit, groups) in charts.items():
        with open(os.path.join(sys.argv[2], chart + ".svg"), "w") as f:
            f.write(draw(title, unit, groups))
        print(os.path.join(sys.argv[2], chart + ".svg"))


if __name__ == "__main__":
    main()
