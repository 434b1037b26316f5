"""Results as pictures: SVG drawn here from a decision's stored result, for every screen and page.

One picture serves the projector, the phones, the console, the web minutes and the PDF: plain
SVG (WeasyPrint draws it too), no script and nothing fetched from elsewhere. It is drawn in
`currentColor`, so it takes the page's ink (light on the projector, dark on paper), and styles
differ by pattern and by the words beside each bar, never by colour alone, so a black-and-white
print reads the same. The chart is decoration for a screen reader (`aria-hidden`): every number
in it is also in the table that `Chart.rows` gives the template.

The viewBox is narrow (640 units) and the type large (26 units), so at 360 px wide the names are
still about 14 px high and on a projector the chart scales up with the panel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypedDict

from django.utils import formats, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from assembly.templatetags.bilingual import other_language

WIDTH = 600
TEXT = 28  # the names and numbers
SMALL = 22  # the threshold's label, the round's heading
EM = 0.62  # a bold character's width, about, in ems (to keep each line inside the picture)
BAR = 30
ROW = TEXT + BAR + 22
NAME_CHARS = 30  # a longer name is cut in the picture (the table keeps it whole)

THRESHOLD_NAMES = {
    "majority": gettext_lazy("more than half"),
    "two_thirds": gettext_lazy("two thirds"),
    "three_quarters": gettext_lazy("three quarters"),
    "four_fifths": gettext_lazy("four fifths"),
    "nine_tenths": gettext_lazy("nine tenths"),
    "unanimity": gettext_lazy("unanimity"),
}
BASE_NAMES = {
    "cast": gettext_lazy("of the votes cast"),
    "present": gettext_lazy("of the voting members present"),
    "members": gettext_lazy("of all voting members"),
}
MOTION_OPTIONS = (
    ("yes", gettext_lazy("Yes"), "solid"),
    ("no", gettext_lazy("No"), "hatch"),
    ("abstain", gettext_lazy("Abstain"), "light"),
)
CONSENSUS_OPTIONS = (
    ("agree", gettext_lazy("Agree"), "solid"),
    ("reservations", gettext_lazy("Reservations"), "dots"),
    ("stand_aside", gettext_lazy("Stand aside"), "light"),
    ("block", gettext_lazy("Block"), "hatch"),
    ("abstain", gettext_lazy("Abstain"), "light"),
)
# A mark is its symbol, then its word in each language ("✓ elected / electo/a").
ELECTED = ("✓", pgettext_lazy("chart mark", "elected"))
ELIMINATED = ("✗", pgettext_lazy("chart mark", "eliminated"))
WINNER = ("✓", pgettext_lazy("chart mark", "chosen"))


def marked(mark: tuple[str, Any], languages: Sequence[str]) -> str:
    symbol, word = mark
    return f"{symbol} " + in_languages(lambda: word, languages)


def number(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def figure(value: Decimal, places: int | None = None) -> str:
    """A count in the reader's notation; fractional counts (STV) to `places` decimals."""
    if places is not None:
        whole = value == value.to_integral_value()
        value = value.to_integral_value() if whole else value.quantize(Decimal(1).scaleb(-places))
    exponent = value.as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True)


def percent(part: Decimal, whole: Decimal) -> str:
    share = (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return formats.number_format(share, decimal_pos=1, use_l10n=True) + " %"


def each_language(say: Callable[[], str], languages: Sequence[str]) -> list[str]:
    """`say()` in each language, each once."""
    texts: list[str] = []
    for language in languages:
        with translation.override(language):
            text = str(say())
        if text not in texts:
            texts.append(text)
    return texts


def in_languages(say: Callable[[], str], languages: Sequence[str]) -> str:
    """`say()` in each language, joined: one label serves a bilingual projector."""
    return " / ".join(each_language(say, languages))


@dataclass
class Bar:
    label: str
    value: Decimal
    style: str = "light"  # solid, hatch, dots, light: told apart without colour
    share: str = ""
    mark: str = ""  # "✓ elected", "✗ eliminated", "✓ chosen"
    gain: Decimal = Decimal(0)  # votes received since the round before (a transfer)
    other: str = ""  # the label in the projector's other language

    @property
    def labels(self) -> str:
        return f"{self.label} / {self.other}" if self.other else self.label


@dataclass
class Chart:
    """A bar chart of one result (or one round of a count), and the same numbers as rows."""

    kind: str
    caption: str
    bars: list[Bar]
    scale: Decimal
    line: Decimal | None = None  # the threshold, quota or majority, in votes
    line_labels: list[str] = field(default_factory=list)  # one line per language
    notes: list[str] = field(default_factory=list)
    places: int | None = None  # decimals shown in the picture (the table keeps every one)
    key: str = "chart"  # unique on the page: the patterns' ids start with it
    round_number: int | None = None
    rounds: int = 0
    elected: tuple[str, ...] = ()  # what the round shown decided, said in words beside it
    eliminated: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def svg(self) -> SafeString:
        return draw_bars(self)


def _defs(key: str) -> str:
    """The fills, each told apart by its pattern: solid ink, diagonal hatch, dots, a light wash."""
    return (
        "<defs>"
        f'<pattern id="{key}-hatch" width="10" height="10" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)">'
        '<rect width="10" height="10" fill="currentColor" fill-opacity="0.12"/>'
        '<rect width="4" height="10" fill="currentColor"/></pattern>'
        f'<pattern id="{key}-dots" width="10" height="10" patternUnits="userSpaceOnUse">'
        '<rect width="10" height="10" fill="currentColor" fill-opacity="0.12"/>'
        '<circle cx="5" cy="5" r="2.6" fill="currentColor"/></pattern>'
        f'<pattern id="{key}-gain" width="8" height="8" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(-45)">'
        '<rect width="8" height="8" fill="currentColor" fill-opacity="0.3"/>'
        '<rect width="2" height="8" fill="currentColor"/></pattern>'
        "</defs>"
    )


def _fill(style: str, key: str) -> str:
    if style == "solid":
        return 'fill="currentColor"'
    if style == "light":
        return 'fill="currentColor" fill-opacity="0.22"'
    return f'fill="url(#{key}-{style})"'


def _wrapped(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` characters, broken between words."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _short(text: str, limit: int = NAME_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(x: float, y: float, text: str, *, size: int = TEXT, anchor: str = "start", **attrs: Any):
    extra = "".join(f' {name.replace("_", "-")}="{escape(v)}"' for name, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
        f' fill="currentColor"{extra}>{escape(text)}</text>'
    )


def draw_bars(chart: Chart) -> SafeString:
    """One row per bar: the name and figures on a line, the bar under it, across the width."""
    key = chart.key
    top = 8
    parts: list[str] = []
    if chart.round_number is not None:
        parts.append(_text(0, top + SMALL, chart.caption, size=SMALL, font_weight="700"))
        top += SMALL + 10
    if chart.line is not None:
        top += (SMALL + 6) * len(chart.line_labels) + 4  # the threshold's label over the bars
    scale = chart.scale if chart.scale > 0 else Decimal(1)

    def x(votes: Decimal) -> float:
        return float(votes / scale) * WIDTH

    y = top
    bar_rows: list[float] = []
    for bar in chart.bars:
        figures = figure(bar.value, chart.places)
        if bar.share:
            figures += f" · {bar.share}"
        # What the bar received: beside its end, or with the figures where it has no room.
        gain = "+" + figure(bar.gain, chart.places) if bar.gain > 0 else ""
        beside = bool(gain) and x(bar.value) + 6 + len(gain) * SMALL * EM <= WIDTH
        if gain and not beside:
            figures += f" ({gain})"
        # The name gives way to the figures; the other language and the mark follow it, or take
        # a line of their own when they will not fit (two languages on a projector).
        room = (WIDTH - len(figures) * TEXT * EM - 16) / (TEXT * EM)
        after = "  ".join(
            part for part in (f"/ {bar.other}" if bar.other else "", bar.mark) if part
        )
        own_line = bool(after) and min(len(bar.label), 12) + 2 + len(after) > room
        cut = 0 if own_line or not after else len(after) + 2
        label = _short(bar.label, max(int(room - cut), 8))
        parts.append(
            f'<g class="bar" data-label="{escape(bar.label)}" data-votes="{bar.value}"'
            f' data-style="{bar.style}">'
        )
        weight = "700" if bar.style == "solid" or bar.mark else "400"
        if after and not own_line:
            label += f" {after}" if bar.other else f"  {after}"
        parts.append(_text(0, y + TEXT, label, font_weight=weight))
        parts.append(_text(WIDTH, y + TEXT, figures, anchor="end", font_weight="700"))
        if own_line:
            y += SMALL + 6
            second = after.removeprefix("/ ")
            parts.append(_text(0, y + TEXT, _short(second, 48), size=SMALL, font_weight=weight))
        bar_y = y + TEXT + 8
        bar_rows.append(bar_y)
        held = bar.value - bar.gain if bar.gain > 0 else bar.value
        parts.append(
            f'<rect x="0" y="{bar_y:.1f}" width="{max(x(held), 2):.1f}" height="{BAR}"'
            f' {_fill(bar.style, key)} stroke="currentColor" stroke-width="1.5"/>'
        )
        if bar.gain > 0:
            parts.append(
                f'<rect class="gain" data-votes="{bar.gain}" x="{x(held):.1f}" y="{bar_y:.1f}"'
                f' width="{max(x(bar.gain), 2):.1f}" height="{BAR}" fill="url(#{key}-gain)"'
                ' stroke="currentColor" stroke-width="1.5" stroke-dasharray="4 3"/>'
            )
            if beside:
                gain_x = x(bar.value) + 6
                wide = len(gain) * SMALL * EM
                line_x = x(chart.line) if chart.line is not None else -WIDTH
                if gain_x - 4 <= line_x <= gain_x + wide and line_x + 8 + wide <= WIDTH:
                    gain_x = line_x + 8  # clear of the threshold's line
                parts.append(_text(gain_x, bar_y + BAR - 7, gain, size=SMALL, class_="gain-label"))
        parts.append("</g>")
        y += ROW
    height = y + 4
    if chart.line is not None:
        parts.append(_threshold(chart, x(chart.line), top, bar_rows))
    for note in chart.notes:
        for line in _wrapped(note, int(WIDTH / (SMALL * EM))):
            height += SMALL + 6
            parts.append(_text(0, height - 6, line, size=SMALL))
    return mark_safe(  # every text above went through escape()
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height + 6:.0f}"'
        ' preserveAspectRatio="xMinYMin meet" aria-hidden="true" focusable="false"'
        ' xmlns="http://www.w3.org/2000/svg"'
        f' font-family="inherit" data-kind="{escape(chart.kind)}">'
        + _defs(key)
        + "".join(parts)
        + "</svg>"
    )


def _threshold(chart: Chart, at: float, top: float, bar_rows: Sequence[float]) -> str:
    """The line every bar is measured against, dashed through each bar (never through the
    names and figures), its label over the bars beside it, inside the picture."""
    line_x = min(max(at, 1.5), WIDTH - 1.5)
    segments = [(top - 8, top + 4)]
    for bar_y in bar_rows:
        segments.append((bar_y - 6, bar_y + BAR + 6))
    parts = [
        f'<line x1="{line_x:.1f}" x2="{line_x:.1f}" y1="{start:.1f}" y2="{end:.1f}"'
        ' stroke="currentColor" stroke-width="4" stroke-dasharray="10 5"/>'
        for start, end in segments
    ]
    labels = chart.line_labels
    for number_, text in enumerate(labels):
        baseline = top - 12 - (SMALL + 6) * (len(labels) - 1 - number_)
        wide = len(text) * SMALL * EM
        if line_x > WIDTH * 0.55:
            anchor, label_x = ("end", line_x - 8) if line_x - 8 >= wide else ("start", 0.0)
        else:
            anchor, label_x = (
                ("start", line_x + 8) if line_x + 8 + wide <= WIDTH else ("end", WIDTH)
            )
        parts.append(_text(label_x, baseline, text, size=SMALL, anchor=anchor, font_weight="700"))
    return f'<g class="threshold" data-votes="{chart.line}">' + "".join(parts) + "</g>"


# The kinds of result.


class _Names(TypedDict):
    label: str
    other: str


def _names(label: Any, languages: Sequence[str]) -> _Names:
    """An option's name in the reader's language, and in the projector's other one."""
    first, *others = each_language(lambda: label, languages)
    return {"label": first, "other": " / ".join(others)}


def motion_chart(result: dict, languages: Sequence[str], key: str) -> Chart:
    base = number(result.get("base"))
    cast = number(result.get("cast"))
    bars = []
    for option, label, style in MOTION_OPTIONS:
        votes = number(result.get(option))
        counted = option != "abstain" or result.get("base_kind") != "cast"
        bars.append(
            Bar(
                value=votes,
                style=style,
                share=percent(votes, base) if counted and base else "",
                **_names(label, languages),
            )
        )
    threshold = result.get("threshold") or {}
    name = threshold.get("name", "")

    def line_label() -> str:
        share = THRESHOLD_NAMES.get(name) or threshold.get("fraction") or name
        return _("%(threshold)s %(base)s: %(required)s needed") % {
            "threshold": share,
            "base": BASE_NAMES.get(result.get("base_kind", ""), ""),
            "required": figure(number(result.get("required"))),
        }

    return Chart(
        kind="motion",
        caption=in_languages(lambda: _("Votes"), languages),
        bars=bars,
        scale=max(base, cast, *(bar.value for bar in bars), Decimal(1)),
        line=number(result.get("required")),
        line_labels=each_language(line_label, languages),
        key=key,
    )


def consensus_chart(result: dict, languages: Sequence[str], key: str) -> Chart:
    counts = result.get("counts") or {}
    total = sum((number(v) for v in counts.values()), Decimal(0))
    bars = [
        Bar(
            value=number(counts.get(response)),
            style=style,
            share=percent(number(counts.get(response)), total) if total else "",
            **_names(label, languages),
        )
        for response, label, style in CONSENSUS_OPTIONS
    ]
    return Chart(
        kind="consensus",
        caption=in_languages(lambda: _("Responses"), languages),
        bars=bars,
        scale=max(total, Decimal(1)),
        key=key,
    )


def choice_chart(result: dict, languages: Sequence[str], key: str) -> Chart:
    """Approval (or score): a bar per candidate, most support first, the winners marked."""
    scores = {name: number(value) for name, value in (result.get("scores") or {}).items()}
    winners = set(result.get("winners") or ())
    ballots = number(result.get("ballots") or result.get("total_ballots"))
    shares = result.get("kind") == "approval" and ballots > 0
    order = sorted(scores, key=lambda name: (-scores[name], name not in winners))
    bars = [
        Bar(
            name,
            scores[name],
            "solid" if name in winners else "light",
            share=percent(scores[name], ballots) if shares else "",
            mark=marked(WINNER, languages) if name in winners else "",
        )
        for name in order
    ]
    return Chart(
        kind=result.get("kind", "approval"),
        caption=in_languages(lambda: _("Support for each option"), languages),
        bars=bars,
        scale=max([ballots if shares else Decimal(0), *scores.values(), Decimal(1)]),
        notes=[in_languages(lambda: _("Share: of the ballots that approved it"), languages)]
        if shares
        else [],
        key=key,
    )


def round_chart(result: dict, round_number: int, languages: Sequence[str], key: str) -> Chart:
    """One round of a ranked count: the continuing candidates' votes, the quota (or majority)
    line, who is elected or eliminated in it, and what each gained from the round before."""
    rounds = result.get("rounds") or []
    index = min(max(round_number, 1), len(rounds)) - 1
    current = rounds[index]
    before = rounds[index - 1]["tally"] if index > 0 else {}
    elected_before = {name for r in rounds[:index] for name in r.get("elected", ())}
    seats = int(number(result.get("seats") or 1))
    scale = max(
        [number(v) for r in rounds for v in r["tally"].values()]
        + [number(r.get("threshold")) for r in rounds if r.get("threshold")]
        + [Decimal(1)]
    )
    bars = []
    for name, votes in current["tally"].items():
        votes = number(votes)
        gain = votes - number(before[name]) if name in before else Decimal(0)
        if name in current.get("elected", ()) or name in elected_before:
            style, mark = "solid", marked(ELECTED, languages)
        elif name in current.get("eliminated", ()):
            style, mark = "hatch", marked(ELIMINATED, languages)
        else:
            style, mark = "light", ""
        bars.append(
            Bar(
                name,
                votes,
                style,
                mark=mark,
                gain=max(gain, Decimal(0)),
            )
        )
    threshold = number(current.get("threshold")) if current.get("threshold") else None

    def line_label() -> str:
        if threshold is None:
            return ""
        if seats > 1:
            return _("Quota: %(votes)s") % {"votes": figure(threshold, 2)}
        return _("Majority: %(votes)s") % {"votes": figure(threshold, 2)}

    def caption() -> str:
        return _("Round %(round)s of %(rounds)s") % {
            "round": current["round"],
            "rounds": len(rounds),
        }

    notes = []
    exhausted = number(current.get("exhausted"))
    if exhausted:
        notes.append(
            in_languages(
                lambda: (
                    _("No further choice (exhausted): %(votes)s") % {"votes": figure(exhausted, 2)}
                ),
                languages,
            )
        )
    if index > 0 and any(bar.gain for bar in bars):
        notes.append(
            in_languages(
                lambda: _("Striped end of a bar, “+”: votes received this round"), languages
            )
        )
    return Chart(
        kind="round",
        caption=in_languages(caption, languages),
        bars=bars,
        scale=scale,
        line=threshold,
        line_labels=each_language(line_label, languages),
        notes=notes,
        places=2,
        key=key,
        round_number=current["round"],
        rounds=len(rounds),
        elected=tuple(current.get("elected") or ()),
        eliminated=tuple(current.get("eliminated") or ()),
    )


def result_chart(
    result: dict, *, key: str, languages: Sequence[str] = (), round_number: int | None = None
) -> Chart | None:
    """The chart for a stored result (`round_number` picks a round of a ranked count; None shows
    its last), with its table rows; None where there is nothing to draw."""
    languages = tuple(languages) or (translation.get_language() or "en",)
    kind = result.get("kind")
    if kind == "motion":
        chart = motion_chart(result, languages, key)
    elif kind == "consensus":
        chart = consensus_chart(result, languages, key)
    elif result.get("scores"):  # approval: one count (its single round says no more)
        chart = choice_chart(result, languages, key)
    elif result.get("rounds"):
        chart = round_chart(result, round_number or len(result["rounds"]), languages, key)
    else:
        return None
    _tabulate(chart, result)
    return chart


def _tabulate(chart: Chart, result: dict) -> None:
    """The chart's numbers as table rows (every decimal kept), in the reader's language."""
    if chart.kind == "round":
        chart.columns = (_("Candidate"), _("Votes"), _("Received this round"), _("Status"))
        chart.rows = [
            (bar.label, figure(bar.value), figure(bar.gain) if bar.gain else "", bar.mark)
            for bar in chart.bars
        ]
    else:
        chart.columns = (_("Option"), _("Votes"), _("Share"), _("Status"))
        chart.rows = [(bar.label, figure(bar.value), bar.share, bar.mark) for bar in chart.bars]
    if chart.line is not None:
        chart.rows.append((" / ".join(chart.line_labels), figure(chart.line), "", ""))


def languages_for(both: bool) -> tuple[str, ...]:
    """The reader's language, and on a bilingual projector the other one after it."""
    first = translation.get_language() or "en"
    other = other_language(first) if both else None
    return (first, other) if other else (first,)


# The whole count at a glance, for the minutes: a column per round, a band per candidate whose
# height is their votes, and ribbons carrying each transfer to where it went.

FLOW_LABELS = 300  # room for the names on the left and the outcome on the right
FLOW_STEP = 74
FLOW_NODE = 16
FLOW_HEIGHT = 520
FLOW_GAP = 14
EXHAUSTED = "exhausted"
FLOW_ELECTED = gettext_lazy("✓ elected, round %(round)s")
FLOW_OUT = gettext_lazy("✗ out, round %(round)s")


def _each_filled(message: Any, values: dict[str, Any], languages: Sequence[str]) -> list[str]:
    """A message with placeholders, filled in each language."""
    return each_language(lambda: str(message) % values, languages)


def flow_svg(result: dict, *, key: str, languages: Sequence[str] = ()) -> SafeString | None:
    """The flow of a ranked count; its words in each of `languages` (the reader's by default),
    one line each, as a bar's mark takes a line of its own on a bilingual projector."""
    rounds = result.get("rounds") or []
    if len(rounds) < 2:
        return None
    languages = tuple(languages) or (translation.get_language() or "en",)
    line = SMALL + 6
    names = list(rounds[0]["tally"])  # first preferences, most first
    rows = [*names, EXHAUSTED]
    most = {
        name: max(
            [number(r["tally"].get(name, 0)) for r in rounds]
            + ([number(r.get("exhausted")) for r in rounds] if name == EXHAUSTED else [])
        )
        for name in rows
    }
    rows = [name for name in rows if most[name] > 0]
    total = sum(most.values()) or Decimal(1)
    unit = (FLOW_HEIGHT - FLOW_GAP * len(rows)) / float(total)
    top: dict[str, float] = {}
    y = 30.0
    for name in rows:
        top[name] = y
        # Each row at least as high as its lines of text (one per language), so the names of
        # the smallest never overlap.
        y += max(float(most[name]) * unit + FLOW_GAP, SMALL + 8 + line * (len(languages) - 1))
    height = y + 10
    width = FLOW_LABELS * 2 + FLOW_STEP * (len(rounds) - 1) + FLOW_NODE

    def column(index: int) -> float:
        return FLOW_LABELS + FLOW_STEP * index

    def held(index: int, name: str) -> Decimal:
        r = rounds[index]
        return number(r.get("exhausted")) if name == EXHAUSTED else number(r["tally"].get(name, 0))

    parts: list[str] = []
    out_of: dict[tuple[int, str], float] = {}
    into: dict[tuple[int, str], float] = {}

    def ribbon(index: int, source: str, target: str, votes: Decimal, kind: str) -> None:
        if votes <= 0 or target not in top or source not in top:
            return
        thick = float(votes) * unit
        y0 = top[source] + out_of.get((index, source), 0.0)
        y1 = top[target] + into.get((index + 1, target), 0.0)
        out_of[(index, source)] = out_of.get((index, source), 0.0) + thick
        into[(index + 1, target)] = into.get((index + 1, target), 0.0) + thick
        x0, x1 = column(index) + FLOW_NODE, column(index + 1)
        middle = (x0 + x1) / 2
        opacity = "0.18" if kind == "stay" else "0.45"
        parts.append(
            f'<path class="flow-{kind}" data-from="{escape(source)}" data-to="{escape(target)}"'
            f' data-round="{rounds[index]["round"]}" data-votes="{votes}"'
            f' d="M{x0:.1f},{y0:.1f} C{middle:.1f},{y0:.1f} {middle:.1f},{y1:.1f} {x1:.1f},{y1:.1f}'
            f" L{x1:.1f},{y1 + thick:.1f} C{middle:.1f},{y1 + thick:.1f} {middle:.1f},"
            f'{y0 + thick:.1f} {x0:.1f},{y0 + thick:.1f} Z" fill="currentColor"'
            f' fill-opacity="{opacity}"'
            + (' stroke="currentColor" stroke-width="0.8"' if kind == "transfer" else "")
            + "/>"
        )

    for index in range(len(rounds) - 1):
        this, after = rounds[index], rounds[index + 1]
        moved = this.get("transfers") or {}
        for name in rows:
            if name == EXHAUSTED:
                stay = held(index, name)
            elif name in after["tally"]:
                sent = sum((number(v) for v in (moved.get(name) or {}).values()), Decimal(0))
                stay = min(held(index, name) - sent, held(index + 1, name))
            else:
                stay = Decimal(0)
            ribbon(index, name, name, stay, "stay")
        for source, targets in moved.items():
            for target, votes in targets.items():
                ribbon(index, source, target, number(votes), "transfer")
    elected_in = {n: r["round"] for r in rounds for n in r.get("elected", ())}
    out_in = {n: r["round"] for r in rounds for n in r.get("eliminated", ())}
    elected_all = set(result.get("winners") or ())
    for index, r in enumerate(rounds):
        parts.append(
            _text(column(index) + FLOW_NODE / 2, 20, str(r["round"]), size=SMALL, anchor="middle")
        )
        for name in rows:
            votes = held(index, name)
            if votes <= 0 and name != EXHAUSTED:
                continue
            style = (
                "solid"
                if name in elected_all and elected_in.get(name, 99) <= r["round"]
                else "light"
            )
            if votes > 0:
                parts.append(
                    f'<rect class="flow-node" data-name="{escape(name)}" data-round="{r["round"]}"'
                    f' data-votes="{votes}" x="{column(index):.1f}" y="{top[name]:.1f}"'
                    f' width="{FLOW_NODE}" height="{max(float(votes) * unit, 1):.1f}"'
                    f' {_fill(style, key)} stroke="currentColor" stroke-width="1"/>'
                )
    for name in rows:
        labels = each_language(lambda: _("No further choice"), languages)
        first, *others = labels if name == EXHAUSTED else [name]
        starts = [f"{_short(first, 22)} {figure(held(0, name), 2)}", *others]
        for number_, text in enumerate(starts):
            parts.append(
                _text(
                    FLOW_LABELS - 10,
                    top[name] + TEXT * 0.8 + line * number_,
                    _short(text, 22),
                    size=SMALL,
                    anchor="end",
                )
            )
        if name in elected_in:
            ends = _each_filled(FLOW_ELECTED, {"round": elected_in[name]}, languages)
        elif name in out_in:
            ends = _each_filled(FLOW_OUT, {"round": out_in[name]}, languages)
        elif name == EXHAUSTED:
            ends = [figure(held(len(rounds) - 1, name), 2)]
        else:
            ends = []
        for number_, end in enumerate(ends):
            parts.append(
                _text(
                    column(len(rounds) - 1) + FLOW_NODE + 10,
                    top[name] + TEXT * 0.8 + line * number_,
                    end,
                    size=SMALL,
                    font_weight="700" if name in elected_in else "400",
                )
            )
    return mark_safe(  # every text went through escape()
        f'<svg class="chart-svg flow-svg" viewBox="0 0 {width:.0f} {height:.0f}"'
        ' aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg"'
        ' font-family="inherit" data-kind="flow">' + _defs(key) + "".join(parts) + "</svg>"
    )
