"""Display of dashboard figures: Swedish-style numbers (``12,5 %``), "för få svar" for suppressed values."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dimios_web import localformat
from maturity.read_model import is_hidden
from surveys.templatetags.department_tree import tree_depth_class, tree_label

register = template.Library()


def display_value(value, kind: str = "percent") -> str:
    """One figure as text (dimios_web.formatting's rules, the page's language): percent ``12,5 %``,
    percentage points ``+3,2 p.e.``, sd ``1,23``, share as a percent, a score on the 1–6 scale ``4,4``,
    whole numbers as integers ``1 500``; ``–`` for undefined and "för få svar" for suppressed values."""
    if is_hidden(value):
        return _("too few responses")
    if value is None or value == "":
        return "–"
    if kind == "percent":
        return localformat.percent(value)
    if kind == "share":
        return localformat.percent(value * 100)
    if kind == "pp":
        return _("%(value)s pp") % {"value": localformat.change(value)}
    if kind == "sd":
        return localformat.number(value, 2)
    if kind == "points":  # a distance in percentage points, no sign: ``27,0 p.e.``
        return _("%(value)s pp") % {"value": localformat.number(value)}
    if kind == "score":
        return localformat.number(value, 1)
    if kind == "number" and isinstance(value, int) and not isinstance(value, bool):
        return localformat.integer(value)  # a count: "1 500" (never a year or an id: those are text)
    return str(value)


@register.filter
def pct(value) -> str:
    return display_value(value, "percent")


@register.filter
def pp(value) -> str:
    return display_value(value, "pp")


@register.filter
def cell(value, kind: str = "percent") -> str:
    """A table cell; ``kind`` "mixed" takes a (kind, value) pair."""
    if kind == "mixed" and isinstance(value, tuple | list):
        kind, value = value
    return display_value(value, kind)


@register.filter
def sort_value(value, kind: str = "percent"):
    """A value the sortable table orders by (suppressed and undefined last)."""
    if kind == "mixed" and isinstance(value, tuple | list):
        kind, value = value
    if value is None or is_hidden(value):
        return ""
    if isinstance(value, int | float):
        return f"{value:.6f}"
    return str(value)


@register.filter
def is_suppressed(value) -> bool:
    if isinstance(value, tuple | list):
        value = value[1]
    return is_hidden(value)


@register.filter
def zip_kinds(row, kinds):
    return list(zip(row, kinds, strict=False))


@register.filter
def pct_share(value) -> str:
    """A share 0–1 as a percent: ``0.2`` → ``20,0 %``."""
    return display_value(value, "share")


@register.filter
def num(value, decimals: int = 1) -> str:
    if value is None or is_hidden(value):
        return display_value(value)
    return localformat.number(value, int(decimals))


@register.simple_tag
def dashboard_table(table, sortable: bool = False, caption: str = ""):
    """One data table of the dashboard, rendered in Python (the pages have thousands of cells): a caption,
    column headers (sort buttons when ``sortable``), the first cell of a row as its header, suppressed cells
    as "för få svar", and the row notes (⚑) in a last column."""
    caption = caption or table.title
    marks = bool(table.marks) and not sortable
    head = []
    for i, column in enumerate(table.columns):
        css = "" if i == 0 else ' class="text-end"'
        if sortable:
            head.append(
                format_html(
                    '<th scope="col" aria-sort="none"{}><button type="button" '
                    'class="btn btn-link btn-sm p-0 text-start sort-button" data-column="{}">{}'
                    '<span class="sort-indicator" aria-hidden="true"></span></button></th>',
                    mark_safe(css),  # noqa: S308 - a constant
                    i,
                    column,
                )
            )
        else:
            head.append(format_html('<th scope="col"{}>{}</th>', mark_safe(css), column))  # noqa: S308
    if marks:
        head.append(format_html('<th scope="col">{}</th>', _("Note")))
    body = []
    depths = getattr(table, "depths", None) or []
    for r, row in enumerate(table.rows):
        mark = table.marks[r] if table.marks else ""
        depth = depths[r] if r < len(depths) else None
        cells = []
        for i, (value, kind) in enumerate(zip(row, table.kinds, strict=False)):
            if i == 0 and depth is not None:
                # A department: indented by its depth in the tree, its level said to screen readers.
                cells.append(
                    format_html(
                        '<th scope="row" class="{}" data-sort="{}">{}</th>',
                        tree_depth_class(depth),
                        value,
                        tree_label(value or "–", depth),
                    )
                )
            elif i == 0:
                cells.append(format_html('<th scope="row" data-sort="{}">{}</th>', value, value or "–"))
            else:
                css = "text-end text-suppressed" if is_suppressed(value) else "text-end"
                cells.append(
                    format_html(
                        '<td class="{}" data-sort="{}">{}</td>',
                        css,
                        sort_value(value, kind),
                        cell(value, kind),
                    )
                )
        if marks:
            cells.append(
                format_html('<td><span class="badge text-bg-warning">⚑ {}</span></td>', mark)
                if mark
                else mark_safe("<td></td>")
            )
        body.append(
            format_html(
                "<tr{}{}>{}</tr>",
                mark_safe(' class="row-marked"' if mark else ""),  # noqa: S308 - a constant
                format_html(' data-depth="{}"', depth) if depth is not None else "",
                mark_safe("".join(cells)),  # noqa: S308 - built with format_html above
            )
        )
    return format_html(
        '<div class="table-responsive" tabindex="0" role="region" aria-label="{}">'
        '<table class="table table-sm table-striped align-middle dashboard-table{}" id="{}-table">'
        "<caption>{}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>",
        caption,
        " js-sortable" if sortable else "",
        table.id,
        caption,
        mark_safe("".join(head)),  # noqa: S308 - built with format_html above
        mark_safe("".join(body)),  # noqa: S308
    )


# The page that creates an action (issue 16's action plans, in the maturity app).
ACTION_CREATE_URL = "maturity:action_create"


@register.simple_tag
def action_create_url(organisation, suggestions, suggestion) -> str:
    """The address of the page that creates an action from a suggestion, its fields filled in: ``round``,
    ``department`` (empty for the organisation), ``capability`` (one per code) and ``title``. "" when the
    suggestion targets no capability (the link is then left out)."""
    if not suggestion.capability_codes:
        return ""
    base = reverse(ACTION_CREATE_URL, kwargs={"org": organisation.code})
    query = [
        ("round", suggestions.round_id),
        ("department", "" if suggestions.department_id is None else suggestions.department_id),
        *[("capability", code) for code in suggestion.capability_codes],
        ("title", suggestion.action_title),
    ]
    return f"{base}?{urlencode(query)}"
