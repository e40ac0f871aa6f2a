"""The national overview's page and download (docs/national-overview.md): the figures of
``maturity.national.get_national_overview`` as data tables, each with its chart (``reports.charts``). The
same for the platform admin's page and the public one: neither names an organisation."""

from __future__ import annotations

from django.utils.translation import gettext as _

from maturity import national
from maturity.distribution import Distribution
from maturity.services import comparisons
from surveys.models import Organisation, Sector
from surveys.skr_groups import SKR_GROUPS, SKR_MAIN_GROUPS

from .. import charts
from .dashboard.page import Table

SET_ORDER = (comparisons.KIND, comparisons.SKR_MAIN_GROUP, comparisons.SKR_GROUP, comparisons.SECTOR)


def figure_label(figure: str) -> str:
    return {
        "overall": _("Overall maturity"),
        "capability": _("Digital capability"),
        "legacy": _("Digital legacy"),
    }[figure]


def set_title(basis: str) -> str:
    return {
        comparisons.KIND: _("By kind of organisation"),
        comparisons.SKR_MAIN_GROUP: _("By SKR main group"),
        comparisons.SKR_GROUP: _("By SKR municipality group"),
        comparisons.SECTOR: _("By sector (departments)"),
    }[basis]


def set_label(basis: str, key: str) -> str:
    if basis == comparisons.KIND:
        return str(Organisation.Kind(key).label) if key in Organisation.Kind.values else key
    if basis == comparisons.SKR_MAIN_GROUP:
        return f"{key} {SKR_MAIN_GROUPS[key]}" if key in SKR_MAIN_GROUPS else key
    if basis == comparisons.SKR_GROUP:
        return f"{key} {SKR_GROUPS[key]}" if key in SKR_GROUPS else key
    return str(Sector(key).label) if key in Sector.values else key


def _too_few() -> tuple[str, str]:
    return ("text", _("too few organisations"))


def _spread(d: Distribution | None, kind: str = "percent") -> list:
    if d is None:
        return [_too_few()] + [("text", "")] * 5
    return [
        (kind, d.mean),
        (kind, d.minimum),
        (kind, d.q1),
        (kind, d.median),
        (kind, d.q3),
        (kind, d.maximum),
    ]


def _spread_columns() -> list[str]:
    return [_("Mean"), _("Lowest"), _("Lower quartile"), _("Median"), _("Upper quartile"), _("Highest")]


def _spread_row(label: str, d: Distribution) -> charts.SpreadRow:
    return charts.SpreadRow(
        label=label,
        minimum=d.minimum,
        q1=d.q1,
        median=d.median,
        q3=d.q3,
        maximum=d.maximum,
        mean=d.mean,
    )


def build_national_page(overview: national.NationalOverview, *, decimal: str = ",") -> dict:
    """The page: its headline numbers, and per section a data table with its chart (``sections``: id,
    title, label, table, figure), in the order the page and the download show them."""
    sections: list[dict] = []

    def add(table: Table, figure: dict | None, label: str) -> None:
        sections.append(
            {"id": table.id, "title": table.title, "table": table, "figure": figure, "label": label}
        )

    spread_kinds = ["mixed"] * 6
    headline = Table(
        id="national-headline",
        title=_("Maturity across organisations"),
        columns=[_("Figure"), _("Organisations"), *_spread_columns()],
        kinds=["text", "number", *spread_kinds],
    )
    rows = []
    for figure in national.HEADLINES:
        d = overview.headline.get(figure)
        headline.rows.append([figure_label(figure), d.n if d else overview.n_organisations, *_spread(d)])
        if d is not None:
            rows.append(_spread_row(figure_label(figure), d))
    add(
        headline,
        charts.distribution_figure(rows, own_name="", mean_name=_("Mean"), decimal=decimal) if rows else None,
        _("Box plots of overall maturity, digital capability and digital legacy across the organisations."),
    )

    dimensions = Table(
        id="national-dimensions",
        title=_("Dimension means"),
        columns=[_("Dimension"), _("Organisations"), *_spread_columns()],
        kinds=["text", "number", *spread_kinds],
    )
    for _code, name, d in overview.dimensions:
        dimensions.rows.append([name, d.n if d else "", *_spread(d)])
    shown_dimensions = [(name, d) for _c, name, d in overview.dimensions if d is not None]
    add(
        dimensions,
        charts.bars_figure(
            [name for name, _d in shown_dimensions],
            [charts.Series(name=_("Mean"), values=[d.mean for _n, d in shown_dimensions])],
            decimal=decimal,
            x_title=_("Mean (%)"),
        )
        if shown_dimensions
        else None,
        _("Bars of the mean of each dimension across the organisations."),
    )

    type_names = {t: _("Type %(type)s") % {"type": t} for t in national.TYPES}
    for t, title in overview.type_titles.items():
        if t in type_names and title:  # the type's heading: its letter named once (TypeDescription.heading)
            type_names[t] = title
    types = Table(
        id="national-types",
        title=_("Organisations per type"),
        columns=[_("Type"), _("Organisations"), _("Share")],
        kinds=["text", "number", "share"],
    )
    total = overview.n_typed
    for t in national.TYPES:
        types.rows.append([type_names[t], overview.types[t], overview.types[t] / total if total else None])
    add(
        types,
        charts.national_matrix_figure(
            [(p.capability, p.legacy, p.type) for p in overview.points],
            capability_cutoff=overview.cutoffs[0],
            legacy_cutoff=overview.cutoffs[1],
            labels=charts.MatrixLabels(
                x_title=_("Digital capability (%)"),
                y_title=_("Digital legacy (%)"),
                fields=type_names,
            ),
            type_names=type_names,
            decimal=decimal,
        )
        if overview.points
        else None,
        _(
            "Maturity matrix: one unnamed point per organisation, digital capability across, digital "
            "legacy up."
        ),
    )

    for basis in SET_ORDER:
        table = Table(
            id=f"national-{basis.replace('_', '-')}",
            title=set_title(basis),
            columns=[
                _("Set"),
                _("Departments") if basis == comparisons.SECTOR else _("Organisations"),
                _("Organisations") if basis == comparisons.SECTOR else _("Respondents"),
                *_spread_columns(),
            ],
            kinds=["text", "number", "number", *spread_kinds],
        )
        spread = []
        entries = sorted(overview.sets.get(basis, []), key=lambda r: r.key)
        for entry in entries:
            label = set_label(basis, entry.key)
            second = entry.n_organisations if basis == comparisons.SECTOR else entry.respondents
            table.rows.append([label, entry.n, second, *_spread(entry.distribution)])
            if entry.distribution is not None:
                spread.append(_spread_row(label, entry.distribution))
        add(
            table,
            charts.distribution_figure(
                spread,
                own_name="",
                mean_name=_("Mean"),
                decimal=decimal,
                x_title=_("Overall maturity (%)"),
            )
            if spread
            else None,
            _("Box plots of overall maturity per set."),
        )

    panel = None
    if overview.panel_from is not None and overview.panel_to is not None:
        table = Table(
            id="national-change",
            title=_("Change for organisations measured in both periods"),
            columns=[
                _("Figure"),
                _("Organisations"),
                str(overview.panel_from),
                str(overview.panel_to),
                _("Mean change"),
                _("Lowest"),
                _("Lower quartile"),
                _("Median"),
                _("Upper quartile"),
                _("Highest"),
            ],
            kinds=["text", "number", "mixed", "mixed", *spread_kinds],
        )
        spread = []
        for figure in national.HEADLINES:
            change = overview.panel.get(figure)
            if change is None:
                continue
            d = change.distribution
            means = (
                [("percent", change.earlier_mean), ("percent", change.later_mean)]
                if d is not None
                else [("text", ""), ("text", "")]
            )
            table.rows.append([figure_label(figure), change.n, *means, *_spread(d, "pp")])
            if d is not None:
                spread.append(_spread_row(figure_label(figure), d))
        add(
            table,
            charts.distribution_figure(
                spread,
                own_name="",
                mean_name=_("Mean change"),
                decimal=decimal,
                x_title=_("Change (percentage points)"),
                bounds=(-100, 100),
                tick_suffix="",
            )
            if spread
            else None,
            _("Box plots of the change of each figure over the organisations measured in both periods."),
        )
        panel = {"from": overview.panel_from, "to": overview.panel_to}

    points = Table(
        id="national-points",
        title=_("Matrix points"),
        columns=[_("Type"), _("Digital capability (%)"), _("Digital legacy (%)")],
        kinds=["text", "percent", "percent"],
        rows=[[p.type, p.capability, p.legacy] for p in overview.points],
    )
    return {
        "overview": overview,
        "sections": sections,
        "points": points,
        "panel": panel,
        "type_names": type_names,
    }
