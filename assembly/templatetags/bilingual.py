"""`{% both %}…{% endboth %}`: on a bilingual meeting's projector, what is inside is shown in the
room's other language too, beside the first, so that one screen serves the whole hall.

The block is rendered a second time with the other language active, so it works for plain
`translate`, `blocktranslate` with counts, and model choices alike. Elsewhere (phones, the
console, or a meeting that is not bilingual) it renders once, as if it were not there.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html

register = template.Library()


def other_language(language: str) -> str | None:
    codes = [code for code, _name in settings.LANGUAGES]
    others = [code for code in codes if code != language]
    return others[0] if len(codes) == 2 and language in codes else None


class BothNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        first = self.nodelist.render(context)
        other = other_language(translation.get_language() or "")
        if not context.get("both_languages") or other is None:
            return first
        with translation.override(other):
            second = self.nodelist.render(context)
        if second.strip() == first.strip():
            return first
        return format_html(
            '<span class="lang-pair">{}<span class="other-lang" lang="{}">{}</span></span>',
            first,
            other,
            second,
        )


@register.tag
def both(parser: template.base.Parser, token: template.base.Token) -> BothNode:
    nodelist = parser.parse(("endboth",))
    parser.delete_first_token()
    return BothNode(nodelist)


# What people wrote (an item's title, a decision's question) in the meeting's language and, on a
# bilingual meeting, its translation: each reader gets their own language first.


def _versions(context: template.Context, obj: object, field: str) -> list[tuple[str, str]]:
    original = getattr(obj, field, "") or ""
    translated = getattr(obj, f"{field}_translation", "") or ""
    meeting = context.get("meeting")
    if meeting is None or not getattr(meeting, "bilingual", False) or not translated:
        return [("", original)]
    written = meeting.language
    versions = [(written, original), (other_language(written) or "", translated)]
    if translation.get_language() != written:
        versions.reverse()
    return [version for version in versions if version[1]]


@register.simple_tag(takes_context=True)
def versions(context: template.Context, obj: object, field: str) -> list[tuple[str, str]]:
    """`{% versions item "description" as texts %}`: (language, text) pairs, the reader's first;
    the language is empty when nothing is known beyond the page's own."""
    return _versions(context, obj, field)


@register.simple_tag(takes_context=True)
def in_both(context: template.Context, obj: object, field: str) -> str:
    """The text in the reader's language, then the other under it (inline elements)."""
    first, *rest = _versions(context, obj, field)
    if not rest:
        return first[1]
    return format_html(
        '<span lang="{}">{}</span> <span class="other-lang" lang="{}">{}</span>',
        first[0],
        first[1],
        rest[0][0],
        rest[0][1],
    )


@register.simple_tag(takes_context=True)
def in_mine(context: template.Context, obj: object, field: str) -> str:
    """Only the text in the reader's language, where a translation gives it (short lists)."""
    return _versions(context, obj, field)[0][1]


@register.simple_tag(takes_context=True)
def in_both_text(context: template.Context, obj: object, field: str) -> str:
    """Plain text (Markdown, a PDF's running head): the reader's language, " / ", the other."""
    return " / ".join(text for _language, text in _versions(context, obj, field))
