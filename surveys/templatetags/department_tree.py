"""Departments shown as a tree in staff tables (issue 17): the rows come in tree order
(``surveys.tree.tree_ordered``), the name cell is indented by depth with a CSS class, a hook mark that
screen readers skip, and the level said in words for them (``nivå 2``). One rendering for every table:
the departments page, the round's response rates, the dashboards' department table
(``reports.templatetags.dashboard``) and the annual report."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

# The deepest level the style sheets indent further (static/css/dimios.css, the report's print CSS);
# deeper units keep that indentation and still say their level.
MAX_INDENTED_DEPTH = 6


@register.filter
def tree_depth_class(depth) -> str:
    """The indentation class of a cell at ``depth`` (0: a department at the top)."""
    return f"tree-depth-{min(max(int(depth or 0), 0), MAX_INDENTED_DEPTH)}"


@register.simple_tag
def tree_label(name, depth) -> SafeString:
    """A department's name in a tree table: a unit under another gets the hook mark (hidden from screen
    readers) and its level in words (only for screen readers: the indentation shows it on the screen)."""
    depth = max(int(depth or 0), 0)
    if not depth:
        return format_html("{}", name)
    return format_html(
        '<span class="tree-mark" aria-hidden="true">└ </span>{}<span class="visually-hidden">{}</span>',
        name,
        _(", level %(level)s") % {"level": depth + 1},
    )
