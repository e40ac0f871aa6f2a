"""The respondents of a round: import from CSV or Excel with a preview of every bad row, and adding or
removing one respondent by hand. Each respondent becomes an ``Invitation`` (the ledger).

Over 400 lines on purpose: one use case (a round's respondents) from the uploaded file's preview to
the decisions on it and the single additions; splitting it would scatter one flow."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dimios_web.exceptions import DomainError

from ..models import Department, Invitation, InvitationToken, RespondentGroup, RespondentImport, Round
from ..tree import descendants_and_self
from . import tabular
from .audit import AuditAction, record_event

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 50
MAX_CELL_CHARS = 1_000
BULK_BATCH = 1000

# Accepted column names (case-insensitive), Swedish and English.
COLUMNS = {
    "email": {"email", "e-mail", "e-post", "epost", "e-postadress", "epostadress", "mail", "e-mail address"},
    "name": {"name", "namn", "full name", "fullständigt namn"},
    "department": {"department", "förvaltning", "forvaltning", "avdelning", "enhet"},
    "group": {"group", "respondent group", "grupp", "respondentgrupp", "roll"},
    "language": {"language", "språk", "sprak"},
}
REQUIRED = ("email", "department", "group")


@dataclass
class RowProblem:
    line: int
    messages: list[str]
    values: dict[str, str]


@dataclass
class ParsedRow:
    line: int
    email: str
    name: str
    department_id: int
    group_id: int
    language: str


@dataclass
class ImportPreview:
    """What a file would import: the good rows, every bad row by line, and problems with the whole file
    (which stop the import altogether)."""

    filename: str = ""
    file_errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    good: list[ParsedRow] = field(default_factory=list)
    bad: list[RowProblem] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.file_errors and not self.bad and bool(self.good)

    @property
    def total(self) -> int:
        return len(self.good) + len(self.bad)


# --- Reading the file -----------------------------------------------------------------------------------

# Limits on what is parsed (issue 11): a respondent file has a handful of columns and at most MAX_ROWS rows.
LIMITS = tabular.Limits(
    max_file_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS, max_cell_chars=MAX_CELL_CHARS
)


def read_respondent_file(*, filename: str, content: bytes) -> tabular.Table:
    """Parse a CSV or .xlsx file once, within the limits; raises ``TableRejected`` with the reason."""
    if not content or not content.strip():
        raise tabular.TableRejected(gettext("The file is empty."))
    if not tabular.is_xlsx(content) and filename.lower().endswith((".xls", ".xlsx", ".ods")):
        raise tabular.TableRejected(
            gettext("Only Excel workbooks in the .xlsx format can be read. Save the file as .xlsx or as CSV.")
        )
    return tabular.read_table(content, limits=LIMITS)


def _header_map(header: list[str], preview: ImportPreview) -> dict[str, int] | None:
    mapping: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = raw.strip().lower()
        for key, names in COLUMNS.items():
            if name in names and key not in mapping:
                mapping[key] = index
    missing = [key for key in REQUIRED if key not in mapping]
    if missing:
        labels = {"email": gettext("e-mail"), "department": gettext("department"), "group": gettext("group")}
        preview.file_errors.append(
            gettext(
                "The first row must name the columns. Missing: %(missing)s. Expected e.g. "
                "“namn; e-post; förvaltning; grupp” (name and language are optional)."
            )
            % {"missing": ", ".join(labels[m] for m in missing)}
        )
        return None
    return mapping


def _department_lookup(round_: Round) -> tuple[dict[str, Department], set[int] | None]:
    """Departments by lower-case name and by “Parent / Unit” path; and the ids allowed in this round
    (None = every department of the organisation)."""
    departments = list(Department.objects.filter(organisation_id=round_.organisation_id))
    by_id = {d.pk: d for d in departments}
    lookup: dict[str, Department] = {}
    ambiguous: set[str] = set()
    for department in departments:
        key = department.name.strip().lower()
        if key in lookup:
            ambiguous.add(key)
        lookup[key] = department
        if department.parent_id and department.parent_id in by_id:
            lookup[f"{by_id[department.parent_id].name.strip().lower()} / {key}"] = department
    for key in ambiguous:
        lookup.pop(key, None)
    chosen = set(round_.departments.values_list("pk", flat=True))
    if not chosen:
        return lookup, None
    allowed = descendants_and_self({d.pk: d.parent_id for d in departments}, chosen)
    return lookup, allowed


def preview_respondent_file(*, round: Round, filename: str, content: bytes) -> ImportPreview:
    """Read a CSV or .xlsx file and check every row against the round. Saves nothing."""
    try:
        table = read_respondent_file(filename=filename, content=content)
    except tabular.TableRejected as error:
        return ImportPreview(filename=filename, file_errors=[str(error.message)])
    return preview_table(round=round, filename=filename, table=table)


def preview_table(*, round: Round, filename: str, table: tabular.Table) -> ImportPreview:
    """Check the parsed rows of a file against the round as it is now. Saves nothing; parses nothing."""
    preview = ImportPreview(filename=filename, notices=list(table.notices))
    rows = [(line, values) for line, values in table.rows if any(v.strip() for v in values)]
    if not rows:
        preview.file_errors.append(gettext("The file is empty."))
        return preview
    if len(rows) - 1 > MAX_ROWS:
        preview.file_errors.append(
            gettext("The file has more than %(max)s rows; split it into smaller files.") % {"max": MAX_ROWS}
        )
        return preview
    header_line, header = rows[0]
    mapping = _header_map(header, preview)
    if mapping is None:
        return preview
    if len(rows) == 1:
        preview.file_errors.append(gettext("The file has column names but no respondents."))
        return preview
    formulas = table.formulas
    if header_line in formulas:
        preview.file_errors.append(gettext("The first row contains formulas; it must name the columns."))
        return preview

    departments, allowed = _department_lookup(round)
    groups = {
        g.name.strip().lower(): g
        for g in RespondentGroup.objects.filter(organisation_id=round.organisation_id)
    }
    already = {
        e.lower()
        for e in Invitation.objects.filter(round=round).exclude(email="").values_list("email", flat=True)
    }
    seen: dict[str, int] = {}

    def cell(values: list[str], key: str) -> str:
        index = mapping.get(key)
        return values[index].strip() if index is not None and index < len(values) else ""

    for line, values in rows[1:]:
        record = {key: cell(values, key) for key in COLUMNS}
        problems = []
        if line in formulas:
            problems.append(
                gettext("Cell %(cells)s contains a formula; paste the values instead.")
                % {"cells": ", ".join(formulas[line])}
            )
        email = record["email"].lower()
        if not email:
            problems.append(gettext("The e-mail address is missing."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(
                    gettext("“%(email)s” is not a valid e-mail address.") % {"email": record["email"]}
                )
            else:
                if email in seen:
                    problems.append(
                        gettext("The e-mail address appears already on line %(line)s.")
                        % {"line": seen[email]}
                    )
                elif email in already:
                    problems.append(gettext("This person is already a respondent in the round."))
        if email and email not in seen:
            seen[email] = line
        department = departments.get(record["department"].lower())
        if not record["department"]:
            problems.append(gettext("The department is missing."))
        elif department is None:
            problems.append(gettext("Unknown department “%(name)s”.") % {"name": record["department"]})
        elif allowed is not None and department.pk not in allowed:
            problems.append(
                gettext("The department “%(name)s” does not take part in this round.")
                % {"name": department.name}
            )
        group = groups.get(record["group"].lower())
        if not record["group"]:
            problems.append(gettext("The respondent group is missing."))
        elif group is None:
            problems.append(gettext("Unknown respondent group “%(name)s”.") % {"name": record["group"]})
        language = record["language"].lower()[:2] if record["language"] else "sv"
        if language not in ("sv", "en"):
            problems.append(gettext("The language must be sv or en."))
        if len(record["name"]) > 200:
            problems.append(gettext("The name is longer than 200 characters."))
        if problems:
            preview.bad.append(RowProblem(line=line, messages=problems, values=record))
        else:
            assert department is not None and group is not None  # no problems: both were found
            preview.good.append(
                ParsedRow(
                    line=line,
                    email=email,
                    name=record["name"],
                    department_id=department.pk,
                    group_id=group.pk,
                    language=language,
                )
            )
    return preview


# --- Importing ------------------------------------------------------------------------------------------


def _check_round_accepts_respondents(round_: Round) -> None:
    if round_.status == Round.Status.CLOSED:
        raise DomainError(_("The round is closed; respondents can no longer be added."))


@transaction.atomic
def store_upload(*, round: Round, filename: str, content: bytes, uploaded_by=None) -> RespondentImport:
    """Parse an uploaded file once and keep its rows until the admin decides (import all, only the good
    rows, or cancel). A file that cannot be read within the limits is refused here (``DomainError``) and
    nothing is kept; the preview is worked out from the stored rows, never by parsing the file again."""
    _check_round_accepts_respondents(round)
    table = read_respondent_file(filename=filename, content=content)
    return RespondentImport.objects.create(
        round=round,
        filename=filename[:255],
        parsed=table.as_json(),
        uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None,
    )


def preview_upload(*, upload: RespondentImport, round: Round | None = None) -> ImportPreview:
    return preview_table(
        round=round or upload.round, filename=upload.filename, table=tabular.Table.from_json(upload.parsed)
    )


def import_respondents(*, upload: RespondentImport, only_good_rows: bool = False, actor=None):
    """Import the respondents of an uploaded file. The file is checked again against the round as it is now,
    so rows that became bad since the preview (someone added the same person meanwhile) are not imported.
    Nothing is imported while the file has bad rows unless ``only_good_rows``. Returns (count, QueueOutcome or
    None)."""
    from .invitations import queue_invitation_sending

    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=upload.round_id)
        _check_round_accepts_respondents(round_)
        preview = preview_upload(upload=upload, round=round_)
        if preview.file_errors:
            raise DomainError(preview.file_errors[0])
        if preview.bad and not only_good_rows:
            raise DomainError(
                _(
                    "%(count)s rows have problems. Correct the file and upload it again, or import only the "
                    "good rows."
                )
                % {"count": len(preview.bad)}
            )
        if not preview.good:
            raise DomainError(_("There are no good rows to import."))
        try:
            with transaction.atomic():
                Invitation.objects.bulk_create(
                    [
                        Invitation(
                            round=round_,
                            email=row.email,
                            name=row.name,
                            department_id=row.department_id,
                            group_id=row.group_id,
                            language=row.language,
                        )
                        for row in preview.good
                    ],
                    batch_size=BULK_BATCH,
                )
        except IntegrityError:
            raise DomainError(
                _("Someone added some of these respondents at the same time. Upload the file again to see.")
            ) from None
        RespondentImport.objects.filter(pk=upload.pk).delete()
        record_event(
            action=AuditAction.RESPONDENTS_IMPORTED,
            organisation=round_.organisation_id,
            actor=actor,
            target=round_,
            round=round_.pk,
            details={
                "imported": len(preview.good),
                "skipped": len(preview.bad),
                "file": upload.filename,
            },
        )
        outcome = queue_invitation_sending(round_id=round_.pk) if round_.status == Round.Status.OPEN else None
    return len(preview.good), outcome


def discard_upload(*, upload: RespondentImport) -> None:
    RespondentImport.objects.filter(pk=upload.pk).delete()


def delete_old_uploads(*, now: datetime.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - datetime.timedelta(days=1)
    deleted, _details = RespondentImport.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def add_respondent(
    *,
    round: Round,
    email: str,
    department: Department,
    group: RespondentGroup,
    name: str = "",
    language: str = "sv",
    actor=None,
):
    """Add one respondent. In an open round the invitation is sent at once. Returns (invitation, outcome)."""
    from .invitations import queue_invitation_sending

    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("Enter a valid e-mail address."), field="email") from None
    if language not in ("sv", "en"):
        raise DomainError(_("The language must be sv or en."), field="language")
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round.pk)
        _check_round_accepts_respondents(round_)
        if department.organisation_id != round_.organisation_id:
            raise DomainError(_("The department belongs to another organisation."), field="department")
        if group.organisation_id != round_.organisation_id:
            raise DomainError(_("The respondent group belongs to another organisation."), field="group")
        _departments, allowed = _department_lookup(round_)
        if allowed is not None and department.pk not in allowed:
            raise DomainError(_("This department does not take part in the round."), field="department")
        if Invitation.objects.filter(round=round_, email__iexact=email).exists():
            raise DomainError(
                _("%(email)s is already a respondent in this round.") % {"email": email}, field="email"
            )
        invitation = Invitation.objects.create(
            round=round_,
            email=email,
            name=name.strip(),
            department=department,
            group=group,
            language=language,
        )
        record_event(
            action=AuditAction.RESPONDENTS_ADDED,
            organisation=round_.organisation_id,
            actor=actor,
            target=round_,
            round=round_.pk,
            details={"invitation": invitation.pk},
        )
        outcome = queue_invitation_sending(round_id=round_.pk) if round_.status == Round.Status.OPEN else None
    return invitation, outcome


@transaction.atomic
def remove_respondent(*, invitation: Invitation, actor=None) -> str:
    """Remove a respondent who has not submitted. One who was never mailed is deleted; one who may have
    received the e-mail is withdrawn (the link stops working, the ledger keeps the row). Returns "deleted"
    or "withdrawn"."""
    invitation = Invitation.objects.select_for_update().select_related("round").get(pk=invitation.pk)
    if invitation.round.status == Round.Status.CLOSED:
        raise DomainError(_("The round is closed; its respondents can no longer be changed."))
    if invitation.submitted:
        raise DomainError(_("This person has already submitted and cannot be removed."))
    details = {"invitation": invitation.pk}
    if invitation.send_status == Invitation.SendStatus.PENDING and invitation.send_attempts == 0:
        invitation.delete()
        outcome = "deleted"
    else:
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
        InvitationToken.objects.filter(invitation_id=invitation.pk).delete()
        outcome = "withdrawn"
    record_event(
        action=AuditAction.RESPONDENTS_DELETED if outcome == "deleted" else AuditAction.RESPONDENTS_WITHDRAWN,
        organisation=invitation.round.organisation_id,
        actor=actor,
        target=invitation.round,
        round=invitation.round_id,
        details=details,
    )
    return outcome
