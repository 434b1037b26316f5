"""Numbers as the reader writes them: the tally keeps exact decimals as strings ("33.3333"), and a
Spanish reader sees "33,3333"."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.text import get_text_list
from django.utils.translation import gettext

register = template.Library()


@register.filter
def figure(value: object) -> str:
    """An exact count in the active locale's notation, every stated decimal kept."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    exponent = number.as_tuple().exponent  # a letter for infinity and NaN
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return formats.number_format(number, decimal_pos=places, use_l10n=True)


@register.filter
def and_list(names: object) -> str:
    """Names as a sentence says them: "Ana, Bo and Chayo" ("Ana, Bo y Chayo")."""
    if not isinstance(names, (list, tuple)):
        return str(names)
    return str(get_text_list([str(name) for name in names], gettext("and")))
