"""The respondent page's answer scale, written in Python: seven radio buttons a statement, five statements a
page, were most of the page's rendering time in the template language (docs/performance.md). The markup is
the template's, unchanged; the labels come escaped from the view's ``scale`` (``label_html``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def scale_options(row, scale) -> SafeString:
    """The choices of one statement's row: ``row.statement.pk``, ``row.field_name``, ``row.checked``."""
    pk = int(row.statement.pk)
    name = f"s{pk}"  # the form's field name (``CategoryAnswersForm``): digits only, nothing to escape
    checked = row.checked
    parts = []
    for choice in scale:
        suffix = choice["suffix"]
        css = "scale-option" if choice["number"] else "scale-option scale-dont-know"
        mark = " checked" if checked == choice["value"] else ""
        value = choice["value"]
        parts.append(
            f'<div class="{css}">\n'
            f'        <input type="radio" name="{name}" id="s{pk}-{suffix}" value="{value}"{mark}>\n'
            f'        <label for="s{pk}-{suffix}">{choice["label_html"]}</label>\n'
            "      </div>"
        )
    return mark_safe("\n      ".join(parts))  # noqa: S308  # every part is escaped or made of digits
