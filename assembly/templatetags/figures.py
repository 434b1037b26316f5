"""Numbers as the reader writes them: the tally keeps exact decimals as strings ("33.3333"), and a
Spanish reader sees "33,3333"."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

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
