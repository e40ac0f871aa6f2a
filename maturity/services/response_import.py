"""Import the raw responses of an earlier round from a CSV file (docs/import-format.md): a closed round of
the organisation and period (source = import) with its responses and answers, then its results.

All or nothing: every problem of the file is reported with its line number and nothing is saved unless the
whole file is good.

Over 400 lines on purpose: one all-or-nothing use case, plan then import; the checks of every line
and the writes they allow belong together."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dimios_web.exceptions import DomainError
from surveys.models import (
    Answer,
    Department,
    MeasurementPeriod,
    Organisation,
    QuestionnaireVersion,
    RespondentGroup,
    Response,
    Round,
)
from surveys.services import tabular
from surveys.services.audit import AuditAction, record_event

from .results import compute_round_results

REQUIRED_COLUMNS = ("respondent", "department", "group")
DONT_KNOW = {"vet ej", "dk"}
PATH_SEPARATOR = ">"
MAX_PROBLEMS = 500


class ImportRejected(DomainError):
    """The file cannot be imported; ``problems`` lists every reason, each with its line number."""

    def __init__(self, problems: list[str]):
        super().__init__(
            _("The file was not imported: %(count)s problem(s) found. Nothing was saved.")
            % {"count": len(problems)}
        )
        self.problems = problems


@dataclass
class ParsedRow:
    line: int
    respondent: str
    department: str
    group: str
    answers: dict[str, int | None]


@dataclass
class ImportPlan:
    """What an import will do, worked out without writing anything."""

    organisation: Organisation | None = None
    period: MeasurementPeriod | None = None
    version: QuestionnaireVersion | None = None
    existing_round: Round | None = None
    rows: list[ParsedRow] = field(default_factory=list)
    statement_codes: list[str] = field(default_factory=list)
    new_departments: list[str] = field(default_factory=list)
    new_groups: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    table: tabular.Table | None = None  # the file as parsed once

    @property
    def n_answers(self) -> int:
        return sum(len(r.answers) for r in self.rows)


@dataclass
class ImportSummary:
    round: Round
    n_responses: int
    n_answers: int
    created_departments: list[str]
    created_groups: list[str]
    replaced: bool
    n_results: int


# Limits on what is parsed (issue 11): respondent, department, group and one column per statement.
LIMITS = tabular.Limits(
    max_file_bytes=5 * 1024 * 1024, max_rows=20_000, max_columns=300, max_cell_chars=1_000
)


def read_response_file(content: bytes) -> tabular.Table:
    """Parse the CSV once (UTF-8 or UTF-16, comma, semicolon or tab separated) within the limits; raises
    ``TableRejected`` naming the limit."""
    return tabular.read_table(content, limits=LIMITS, allow_xlsx=False, allow_cp1252=False)


def _parse_period(code: str) -> tuple[int, str] | None:
    try:
        year, term = code.strip().upper().split("-")
        if term not in MeasurementPeriod.Term.values or len(year) != 4:
            return None
        return int(year), term
    except ValueError:
        return None


def _split_path(name: str) -> list[str]:
    return [part.strip() for part in name.split(PATH_SEPARATOR) if part.strip()]


def _find_department(departments: list[Department], path: list[str]) -> tuple[Department | None, str | None]:
    """The department a name (or a "Department > Unit" path) names; an error text when it is ambiguous."""
    if len(path) == 1:
        matches = [d for d in departments if d.name.casefold() == path[0].casefold()]
        if len(matches) > 1:
            return None, _(
                "the name “%(name)s” is used by several departments; write it as a path, e.g. "
                "“Department > Unit”"
            ) % {"name": path[0]}
        return (matches[0] if matches else None), None
    parent = None
    for part in path:
        found = next(
            (
                d
                for d in departments
                if d.name.casefold() == part.casefold() and d.parent_id == (parent.pk if parent else None)
            ),
            None,
        )
        if found is None:
            return None, None
        parent = found
    return parent, None


def plan_import(
    *,
    organisation_code: str,
    period_code: str,
    version_code: str,
    content: bytes | None = None,
    table: tabular.Table | None = None,
    replace: bool = False,
) -> ImportPlan:
    """Read and check everything; write nothing. ``plan.problems`` is empty when the import can go ahead.
    The file is given as ``content`` (parsed here) or as the ``table`` parsed from it earlier."""
    plan = ImportPlan()
    problems = plan.problems
    plan.organisation = Organisation.objects.filter(code=(organisation_code or "").strip()).first()
    if plan.organisation is None:
        problems.append(_("There is no organisation with the code “%(code)s”.") % {"code": organisation_code})
    parsed_period = _parse_period(period_code or "")
    if parsed_period is None:
        problems.append(
            _("“%(period)s” is not a measurement period; write it like 2025-HT or 2026-VT.")
            % {"period": period_code}
        )
    else:
        plan.period = MeasurementPeriod.objects.filter(year=parsed_period[0], term=parsed_period[1]).first()
        if plan.period is None:
            problems.append(_("The measurement period %(period)s does not exist.") % {"period": period_code})
        elif plan.period.starts_on > timezone.localdate():
            problems.append(
                _(
                    "The measurement period %(period)s has not started yet; only responses already given "
                    "can be imported."
                )
                % {"period": plan.period.code}
            )
    plan.version = QuestionnaireVersion.objects.filter(code=(version_code or "").strip()).first()
    if plan.version is None:
        problems.append(_("There is no questionnaire version “%(code)s”.") % {"code": version_code})
    if plan.organisation is not None and plan.period is not None:
        plan.existing_round = Round.objects.filter(organisation=plan.organisation, period=plan.period).first()
        if plan.existing_round is not None:
            if plan.existing_round.source != Round.Source.IMPORT:
                problems.append(
                    _(
                        "%(organisation)s already has a round in %(period)s that was run in this "
                        "application; an import cannot replace it."
                    )
                    % {"organisation": plan.organisation.name, "period": plan.period.code}
                )
            elif not replace:
                problems.append(
                    _(
                        "%(organisation)s already has imported responses for %(period)s. Import again with "
                        "“replace” to replace them."
                    )
                    % {"organisation": plan.organisation.name, "period": plan.period.code}
                )

    if table is None:
        try:
            table = read_response_file(content or b"")
        except tabular.TableRejected as error:
            problems.append(str(error.message))
            return plan
    plan.table = table
    lines = iter(table.rows)
    header: list[str] | None = None
    header_line = 0
    for line_number, cells in lines:
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            header_line = line_number
            break
    if header is None:
        problems.append(_("The file is empty."))
        return plan
    lowered = [h.casefold() for h in header]
    problems_before_header = len(problems)
    for column in REQUIRED_COLUMNS:
        if column not in lowered:
            problems.append(
                _("Line %(line)s: the column “%(column)s” is missing.")
                % {"line": header_line, "column": column}
            )
    for name, count in Counter(lowered).items():
        if count > 1 and name:
            problems.append(
                _("Line %(line)s: the column “%(column)s” appears twice.")
                % {"line": header_line, "column": name}
            )
    known_codes = set(plan.version.statements.values_list("code", flat=True)) if plan.version else set()
    statement_columns: dict[int, str] = {}
    for index, name in enumerate(header):
        if name.casefold() in REQUIRED_COLUMNS:
            continue
        if plan.version is not None and name not in known_codes:
            problems.append(
                _("Line %(line)s: “%(column)s” is not a statement code of %(version)s.")
                % {"line": header_line, "column": name, "version": plan.version.code}
            )
        else:
            statement_columns[index] = name
    plan.statement_codes = list(statement_columns.values())
    if not statement_columns and plan.version is not None and not problems:
        problems.append(_("Line %(line)s: the file has no statement columns.") % {"line": header_line})
    if len(problems) > problems_before_header:
        return plan  # without a good header the rows cannot be read
    position = {name: lowered.index(name) for name in REQUIRED_COLUMNS}

    seen: dict[str, int] = {}
    for line, cells in lines:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                _("Line %(line)s: %(found)s cells, but the header has %(expected)s.")
                % {"line": line, "found": len(cells), "expected": len(header)}
            )
            continue
        respondent = cells[position["respondent"]].strip()
        department = cells[position["department"]].strip()
        group = cells[position["group"]].strip()
        row_problems = []
        if not respondent:
            row_problems.append(_("Line %(line)s: the respondent id is empty.") % {"line": line})
        elif respondent in seen:
            row_problems.append(
                _("Line %(line)s: the respondent id “%(id)s” is already used on line %(first)s.")
                % {"line": line, "id": respondent, "first": seen[respondent]}
            )
        else:
            seen[respondent] = line
        if not _split_path(department):
            row_problems.append(_("Line %(line)s: the department is empty.") % {"line": line})
        if not group:
            row_problems.append(_("Line %(line)s: the group is empty.") % {"line": line})
        answers: dict[str, int | None] = {}
        for index, code in statement_columns.items():
            raw = cells[index].strip()
            if raw == "":
                continue
            if raw.casefold() in DONT_KNOW:
                answers[code] = None
            elif raw.isdigit() and 1 <= int(raw) <= 6:
                answers[code] = int(raw)
            else:
                row_problems.append(
                    _("Line %(line)s, %(code)s: “%(value)s” is not an answer (1–6, “vet ej”, “DK” or empty).")
                    % {"line": line, "code": code, "value": raw}
                )
        if row_problems:
            problems.extend(row_problems)
        else:
            plan.rows.append(ParsedRow(line, respondent, department, group, answers))
    if not plan.rows and not problems:
        problems.append(_("The file has a header but no responses."))

    if plan.organisation is not None and not problems:
        departments = list(Department.objects.filter(organisation=plan.organisation))
        groups = {g.name.casefold() for g in RespondentGroup.objects.filter(organisation=plan.organisation)}
        new_departments: dict[str, None] = {}
        new_groups: dict[str, None] = {}
        for row in plan.rows:
            found, ambiguity = _find_department(departments, _split_path(row.department))
            if ambiguity:
                problems.append(_("Line %(line)s: %(error)s.") % {"line": row.line, "error": ambiguity})
            elif found is None:
                new_departments[f" {PATH_SEPARATOR} ".join(_split_path(row.department))] = None
            if row.group.casefold() not in groups:
                new_groups.setdefault(row.group, None)
        plan.new_departments = list(new_departments)
        seen_groups: set[str] = set()
        for name in new_groups:
            if name.casefold() not in seen_groups:
                seen_groups.add(name.casefold())
                plan.new_groups.append(name)
    if len(problems) > MAX_PROBLEMS:
        extra = len(problems) - MAX_PROBLEMS
        del problems[MAX_PROBLEMS:]
        problems.append(_("… and %(count)s more problems.") % {"count": extra})
    return plan


def _department_for_path(organisation: Organisation, path: list[str], cache: dict) -> Department:
    key = tuple(p.casefold() for p in path)
    if key in cache:
        return cache[key]
    departments = list(Department.objects.filter(organisation=organisation))
    found, _error = _find_department(departments, path)
    if found is None:
        parent: Department | None = None
        for part in path:
            existing = Department.objects.filter(
                organisation=organisation, parent=parent, name__iexact=part
            ).first()
            parent = existing or Department.objects.create(
                organisation=organisation, parent=parent, name=part
            )
        found = parent
    assert found is not None  # a path has at least one part
    cache[key] = found
    return found


@transaction.atomic
def import_responses(
    *,
    organisation_code: str,
    period_code: str,
    version_code: str,
    content: bytes | None = None,
    table: tabular.Table | None = None,
    replace: bool = False,
    actor=None,
    filename: str = "",
) -> ImportSummary:
    """Create a closed round (source = import) with the file's responses and compute its results. Raises
    ``ImportRejected`` listing every problem, and then nothing is saved."""
    plan = plan_import(
        organisation_code=organisation_code,
        period_code=period_code,
        version_code=version_code,
        content=content,
        table=table,
        replace=replace,
    )
    if plan.problems:
        raise ImportRejected(plan.problems)
    organisation, period, version = plan.organisation, plan.period, plan.version
    # A plan without problems has found all three.
    assert organisation is not None and period is not None and version is not None
    now = timezone.now()
    replaced = plan.existing_round is not None
    if plan.existing_round is not None:
        round_ = Round.objects.select_for_update().get(pk=plan.existing_round.pk)
        round_.responses.all().delete()
        round_.questionnaire = version
        round_.status = Round.Status.CLOSED
        round_.closed_at = now
        round_.data_changed_at = now
        round_.save(update_fields=["questionnaire", "status", "closed_at", "data_changed_at"])
    else:
        round_ = Round.objects.create(
            organisation=organisation,
            period=period,
            questionnaire=version,
            status=Round.Status.CLOSED,
            source=Round.Source.IMPORT,
            anonymous=True,
            closed_at=now,
            data_changed_at=now,
            created_by=actor,
        )

    department_cache: dict = {}
    groups = {g.name.casefold(): g for g in RespondentGroup.objects.filter(organisation=organisation)}
    created_groups = []
    next_position = max((g.position for g in groups.values()), default=0) + 1
    for name in plan.new_groups:
        groups[name.casefold()] = RespondentGroup.objects.create(
            organisation=organisation, name=name, position=next_position
        )
        created_groups.append(name)
        next_position += 1
    statements = dict(version.statements.values_list("code", "id"))
    responses = []
    answers: list[Answer] = []
    used_departments = set()
    for row in plan.rows:
        department = _department_for_path(organisation, _split_path(row.department), department_cache)
        used_departments.add(department.pk)
        response = Response(
            round=round_,
            department=department,
            group=groups[row.group.casefold()],
            external_id=row.respondent,
        )
        responses.append(response)
        answers.extend(
            Answer(response=response, statement_id=statements[code], value=value)
            for code, value in row.answers.items()
        )
    Response.objects.bulk_create(responses, batch_size=500)
    Answer.objects.bulk_create(answers, batch_size=2000)
    round_.departments.set(used_departments)
    n_results = compute_round_results(round_id=round_.pk)
    record_event(
        organisation=organisation,
        actor=actor,
        action=AuditAction.RESPONSES_IMPORTED,
        target=str(round_),
        round=round_,
        details={
            "period": period.code,
            "version": version.code,
            "responses": len(responses),
            "replaced": replaced,
            "filename": filename,
        },
    )
    return ImportSummary(
        round=round_,
        n_responses=len(responses),
        n_answers=len(answers),
        created_departments=plan.new_departments,
        created_groups=created_groups,
        replaced=replaced,
        n_results=n_results,
    )
