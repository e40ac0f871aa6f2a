"""The annual report as an Excel workbook for analysts: one sheet per section, one plain header row per
sheet (no merged cells), numbers as numbers (percents unrounded, shown with one decimal), a figure that must
not be shown (fewer than k responses) as an empty cell. Made from the same content as the PDF."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dimios_web.spreadsheets import add_sheet, new_workbook, workbook_bytes

from .templatetags.annual_report import pct, points

PERCENT_FORMAT = "0.0"


def _sheet(workbook, title: str, header: list[str], rows: list[list], percent_columns=()):
    rows = [
        [None if value == "" and i in percent_columns else value for i, value in enumerate(row)]
        for row in rows
    ]
    return add_sheet(
        workbook,
        title,
        rows,
        header=header,
        number_formats={column: PERCENT_FORMAT for column in percent_columns},
        freeze="A2",
    )


def build_xlsx(content: dict) -> bytes:
    from .selectors.annual import section_titles

    titles = section_titles()
    workbook = new_workbook()
    summary = content["summary"]
    org_name = content["organisation"]["name"]

    # 1. Summary
    rows = [
        [_("Organisation"), org_name, ""],
        [_("Year"), content["year"], ""],
        [_("Measurement period"), content["period"], ""],
        [_("Respondents"), summary["n"], ""],
        [_("Overall maturity"), summary["overall"], "%"],
        [_("Digital capability"), summary["capability"], "%"],
        [_("Digital legacy"), summary["legacy"], "%"],
        [_("Type"), summary["type"] or "", ""],
        [_("Type title"), summary["type_title"], ""],
        [
            _("Change in overall maturity since last year"),
            summary["change"]["overall"],
            _("percentage points"),
        ],
        [
            _("Change in digital capability since last year"),
            summary["change"]["capability"],
            _("percentage points"),
        ],
        [_("Change in digital legacy since last year"), summary["change"]["legacy"], _("percentage points")],
    ]
    for row in summary["comparisons"]:
        group = {"group": row["label"]}
        rows.append([_("Number of organisations: %(group)s") % group, row["n_organisations"], ""])
        if row["too_few"]:
            rows.append([_("Overall maturity, mean: %(group)s") % group, _("too few organisations"), ""])
            continue
        rows.append([_("Number of respondents: %(group)s") % group, row["n_respondents"], ""])
        rows.append([_("Overall maturity, mean: %(group)s") % group, row["overall"], "%"])
        rows.append([_("Overall maturity, lower quartile: %(group)s") % group, row["overall_q1"], "%"])
        rows.append([_("Overall maturity, median: %(group)s") % group, row["overall_median"], "%"])
        rows.append([_("Overall maturity, upper quartile: %(group)s") % group, row["overall_q3"], "%"])
        rows.append([_("Position: %(group)s") % group, row["position"] or None, ""])
    _sheet(workbook, titles["summary"], [_("Figure"), _("Value"), _("Unit")], rows, percent_columns=(1,))

    # 2. Matrix
    kind_labels = {
        "organisation": _("Organisation"),
        "department": _("Department"),
        "comparison": _("Comparison mean"),
    }
    _sheet(
        workbook,
        titles["matrix"],
        [_("Name"), _("Kind"), _("Digital capability (%)"), _("Digital legacy (%)")],
        [
            [p["name"], kind_labels[p["kind"]], p["capability"], p["legacy"]]
            for p in content["matrix"]["points"]
        ],
        percent_columns=(2, 3),
    )

    # 3. Categories and capabilities: the chosen comparison sets as columns, as on the report's pages
    comparison_header = [column["label"] for column in content["comparison_columns"]]
    percent_columns = tuple(range(3, 5 + len(comparison_header)))
    for title, rows, parent in (
        (_("Categories"), content["categories"], "dimension"),
        (_("Capabilities"), content["capabilities"], "category"),
    ):
        _sheet(
            workbook,
            title,
            [
                _("Code"),
                _("Category") if parent == "dimension" else _("Capability"),
                _("Dimension") if parent == "dimension" else _("Category"),
                org_name,
                _("Last year"),
            ]
            + comparison_header,
            [[r["code"], r["name"], r[parent], r["percent"], r["previous"], *r["comparisons"]] for r in rows],
            percent_columns=percent_columns,
        )

    # 4. Departments
    _sheet(
        workbook,
        titles["departments"],
        [
            _("Department"),
            _("Level"),
            _("Respondents"),
            _("Overall maturity (%)"),
            _("Digital capability (%)"),
            _("Digital legacy (%)"),
            _("Type"),
            _("Change in overall maturity (percentage points)"),
            _("Strongest capabilities"),
            _("Weakest capabilities"),
        ],
        [
            [
                d["name"],
                d["depth"],
                d["n"],
                d["overall"],
                d["capability"],
                d["legacy"],
                d["type"] or "",
                d["change"]["overall"],
                "; ".join(c["name"] for c in d["strongest"]),
                "; ".join(c["name"] for c in d["weakest"]),
            ]
            for d in content["departments"]
        ],
        percent_columns=(3, 4, 5, 7),
    )

    # 5. Respondent groups
    _sheet(
        workbook,
        titles["groups"],
        [
            _("Respondent group"),
            _("Respondents"),
            _("Overall maturity (%)"),
            _("Digital capability (%)"),
            _("Digital legacy (%)"),
        ],
        [[g["name"], g["n"], g["overall"], g["capability"], g["legacy"]] for g in content["groups"]],
        percent_columns=(2, 3, 4),
    )
    _sheet(
        workbook,
        _("Group differences"),
        [
            _("Code"),
            _("Capability"),
            _("Highest group"),
            _("Highest (%)"),
            _("Lowest group"),
            _("Lowest (%)"),
            _("Gap (percentage points)"),
        ],
        [
            [
                g["code"],
                g["name"],
                g["highest"],
                g["highest_percent"],
                g["lowest"],
                g["lowest_percent"],
                g["gap"],
            ]
            for g in content["group_gaps"]
        ],
        percent_columns=(3, 5, 6),
    )

    # 6. Response rates and method (1 … k − 1 submitted: "färre än k" and the band, never the count)
    rate_rows = []
    for round_ in content["method"]["rounds"]:
        rates = round_["rates"]
        rate_rows.append(
            [
                round_["period"],
                _("Organisation"),
                org_name,
                rates["total"]["invited"],
                *_rate_cells(rates["total"]),
            ]
        )
        for kind, rows_ in (
            (_("Department"), rates["departments"]),
            (_("Respondent group"), rates["groups"]),
        ):
            for r in rows_:
                rate_rows.append([round_["period"], kind, r["name"], r["invited"], *_rate_cells(r)])
    _sheet(
        workbook,
        _("Response rates"),
        [_("Period"), _("Kind"), _("Name"), _("Invited"), _("Submitted"), _("Response rate (%)")],
        rate_rows,
        percent_columns=(5,),
    )
    method = content["method"]
    method_rows = [
        [_("Questionnaire version"), method["questionnaire"]],
        [_("Questionnaire code"), method["questionnaire_code"]],
        [_("Minimum responses shown (k)"), method["k"]],
        [_("Capability cut-off (%)"), method["capability_cutoff"]],
        [_("Legacy cut-off (%)"), method["legacy_cutoff"]],
    ]
    for round_ in method["rounds"]:
        method_rows.append(
            [
                _("Round %(period)s") % {"period": round_["period"]},
                f"{round_['first_day']} – {round_['last_day']}; {round_['source']}",
            ]
        )
        method_rows.append(
            [_("Respondents %(period)s") % {"period": round_["period"]}, round_["n_respondents"]]
        )
    _sheet(workbook, _("Method"), [_("Item"), _("Value")], method_rows)

    # 7. Conclusions
    conclusions = content["conclusions"]
    conclusion_rows = [[c["number"], c["title"], c["body"]] for c in conclusions["written"]]
    if not conclusion_rows and conclusions["general_recommendations"]:
        conclusion_rows.append(
            [
                "",
                _("General recommendations for type %(type)s") % {"type": conclusions["type"]},
                conclusions["general_recommendations"],
            ]
        )
    _sheet(workbook, titles["conclusions"], [_("Number"), _("Title"), _("Text")], conclusion_rows)

    # 8. Improvement actions (never the owner: the report is public)
    action_rows = []
    for item in content["actions"]["items"]:
        lines = [
            (f"{change['capability']} ({change['scope']})" if change["scope"] else change["capability"])
            + ": "
            + (
                _("%(change)s points (%(before)s → %(after)s)")
                % {
                    "change": points(change["change"]),
                    "before": pct(change["before"]),
                    "after": pct(change["after"]),
                }
                if change["change"] is not None
                else _("not shown (%(reason)s)") % {"reason": change["reason"]}
            )
            for change in item["changes"]
        ]
        action_rows.append(
            [
                item["title"],
                item["department"],
                ", ".join(item["capabilities"]),
                item["round"],
                item["status"],
                datetime.date.fromisoformat(item["due_on"]),
                item["followup_round"],
                "\n".join(lines) if lines else item["followup"],
            ]
        )
    add_sheet(
        workbook,
        titles["actions"],
        action_rows,
        header=[
            pgettext("improvement action", "Action"),
            _("Department"),
            _("Capabilities"),
            _("Responds to the round"),
            _("Status"),
            _("Due date"),
            _("Follow-up round"),
            _("Follow-up"),
        ],
        number_formats={5: "yyyy-mm-dd"},
        freeze="A2",
    )

    return workbook_bytes(workbook)  # made safe: no name becomes a formula


def _rate_cells(row: dict) -> list:
    if row.get("fewer_than_k"):
        return [row["submitted_text"], row["rate_text"]]
    return [row["submitted"], row["rate"]]
