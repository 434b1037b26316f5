"""`{% result_chart decision as chart %}` and `{% result_flow decision %}`: a decision's stored
result drawn as SVG (`assembly.charts`), in both languages on a bilingual projector."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from assembly import charts
from assembly.models import Decision

register = template.Library()


@register.simple_tag(takes_context=True)
def result_chart(
    context: template.Context, decision: Decision, whole: bool = False
) -> charts.Chart | None:
    """The chart of the decision's result; for a ranked count, the round the facilitator shows
    (`shown_round`), or its last round when showing the whole count (`whole`)."""
    shown = None if whole else decision.shown_round
    return charts.result_chart(
        decision.result or {},
        key=f"chart-{decision.pk}",
        languages=charts.languages_for(bool(context.get("both_languages"))),
        round_number=shown,
    )


@register.simple_tag(takes_context=True)
def result_flow(context: template.Context, decision: Decision) -> SafeString | None:
    """The whole ranked count as a flow, for the minutes: in both languages where every other
    chart is (a bilingual meeting's PDF)."""
    return charts.flow_svg(
        decision.result or {},
        key=f"flow-{decision.pk}",
        languages=charts.languages_for(bool(context.get("both_languages"))),
    )


@register.simple_tag
def round_steps(decision: Decision) -> dict[str, int | None]:
    """For the console's "previous round / next round / whole count": the rounds those buttons
    show (None where there is none), the round shown now and how many there are."""
    total = len((decision.result or {}).get("rounds") or ())
    shown = decision.shown_round
    previous = (shown or total) - 1
    following = (shown or 0) + 1
    return {
        "total": total,
        "shown": shown,
        "previous": previous if previous >= 1 else None,
        "next": following if following <= total else None,
    }
