"""Raw-responses CSV import (all or nothing, line-numbered problems) and the results export, checked
against an independent hand computation with pandas."""

from __future__ import annotations

import csv
import io
import json
import random
from io import StringIO

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maturity.models import RoundResult
from surveys.models import Answer, Department, RespondentGroup, Response, Round

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DEPARTMENTS = [
    "Socialförvaltningen",
    "Utbildningsförvaltningen",
    "Tekniska förvaltningen",
    "Socialförvaltningen > Äldreomsorg",
]
GROUPS = ["Chefer", "Strateger", "Verksamhetsutvecklare", "Nya gruppen"]


def generate_csv(codes, *, n=300, seed=7, delimiter=",", bom=False) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["respondent", "department", "group", *codes])
    for i in range(n):
        cells = []
        for _code in codes:
            draw = rng.random()
            if draw < 0.04:
                cells.append("")
            elif draw < 0.08:
                cells.append(rng.choice(["vet ej", "Vet ej", "DK", "dk"]))
            else:
                cells.append(str(rng.randint(1, 6)))
        writer.writerow([f"R{i:04d}", rng.choice(DEPARTMENTS), rng.choice(GROUPS), *cells])
    data = out.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def hand_computed(csv_bytes: bytes, structure: dict) -> pd.DataFrame:
    """Percent per dimension/category/capability and overall, by the formulas of docs/scoring.md, with
    pandas, for the whole file and per department (with units) and group."""
    text = csv_bytes.decode("utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    long = frame.melt(id_vars=["respondent", "department", "group"], var_name="code", value_name="raw")
    long = long[long["raw"].str.fullmatch(r"[1-6]")].copy()
    long["value"] = long["raw"].astype(int)
    reverse = {s["code"] for s in structure["statements"] if s["reverse_scored"]}
    long.loc[long["code"].isin(reverse), "value"] = 7 - long["value"]
    long["top"] = long["department"].str.split(">").str[0].str.strip()
    cap_of = {s["code"]: s["capability"] for s in structure["statements"]}
    cat_of = {c["code"]: c["category"] for c in structure["capabilities"]}
    dim_of = {c["code"]: c["dimension"] for c in structure["categories"]}

    def figures(subset):
        st_mean = subset.groupby("code")["value"].mean()
        cap = st_mean.groupby(st_mean.index.map(cap_of)).mean()
        cat = cap.groupby(cap.index.map(cat_of)).mean()
        dim = cat.groupby(cat.index.map(dim_of)).mean()
        pct = lambda s: (s - 1) / 5 * 100  # noqa: E731
        result = {**pct(cap).to_dict(), **pct(cat).to_dict(), **pct(dim).to_dict()}
        result["overall"] = pct(dim).mean()
        return result

    rows = {"organisation": figures(long)}
    for name in ("Socialförvaltningen", "Utbildningsförvaltningen"):
        rows[name] = figures(long[long["top"] == name])
    rows["Chefer"] = figures(long[long["group"] == "Chefer"])
    return pd.DataFrame(rows)


def _import(path, *args):
    out = StringIO()
    call_command(
        "import_responses",
        str(path),
        "--organisation",
        "0580",
        "--period",
        "2025-HT",
        "--version",
        "dimios-open-2026",
        *args,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def _export(fmt="json"):
    out = StringIO()
    call_command(
        "export_results", "--organisation", "0580", "--period", "2025-HT", "--format", fmt, stdout=out
    )
    return out.getvalue()


def _structure():
    out = StringIO()
    call_command("export_questionnaire", "--version", "dimios-open-2026", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(("delimiter", "bom"), [(",", False), (";", True)])
def test_an_imported_300_respondent_file_exports_the_hand_computed_figures(
    tmp_path, organisation, questionnaire, period_2025, delimiter, bom
):
    structure = _structure()
    codes = [s["code"] for s in structure["statements"]]
    content = generate_csv(codes, delimiter=delimiter, bom=bom)
    path = tmp_path / "svar.csv"
    path.write_bytes(content)

    message = _import(path)

    assert "Imported 300 responses" in message
    round_ = Round.objects.get(organisation=organisation, period=period_2025)
    assert (round_.status, round_.source) == (Round.Status.CLOSED, Round.Source.IMPORT)
    assert Response.objects.filter(round=round_).count() == 300
    expected = hand_computed(content, structure)
    exported = json.loads(_export())

    def check(scope, column):
        for code in [
            *(c["code"] for c in structure["capabilities"]),
            *(c["code"] for c in structure["categories"]),
        ]:
            level = "capabilities" if code.count(".") == 2 else "categories"
            assert scope[level][code]["percent"] == pytest.approx(expected.loc[code, column]), (column, code)
        for dim in ("F", "A"):
            assert scope["dimensions"][dim]["percent"] == pytest.approx(expected.loc[dim, column])
        assert scope["overall_percent"] == pytest.approx(expected.loc["overall", column])

    check(exported["organisation"], "organisation")
    assert exported["organisation"]["n_respondents"] == 300
    departments = {d["name"]: d for d in exported["departments"]}
    check(departments["Socialförvaltningen"], "Socialförvaltningen")  # pools its unit Äldreomsorg
    check(departments["Utbildningsförvaltningen"], "Utbildningsförvaltningen")
    check({g["name"]: g for g in exported["groups"]}["Chefer"], "Chefer")
    # The organisation's type follows from its two dimension percents and the 50 % cut-offs.
    cap, leg = expected.loc["F", "organisation"], expected.loc["A", "organisation"]
    assert (
        exported["organisation"]["type"]
        == {(False, False): "A", (True, False): "B", (False, True): "C", (True, True): "D"}[
            (cap >= 50, leg >= 50)
        ]
    )
    # CSV: the same figures rounded to one decimal, one line per figure.
    rows = list(csv.DictReader(io.StringIO(_export("csv"))))
    org_overall = next(r for r in rows if r["scope"] == "organisation" and r["level"] == "overall")
    assert org_overall["value"] == f"{expected.loc['overall', 'organisation']:.1f}"


def test_missing_departments_and_groups_are_created_by_name(
    tmp_path, organisation, questionnaire, period_2025
):
    path = tmp_path / "svar.csv"
    path.write_text(
        "respondent;department;group;F.EFF.1.1\n1;Nya förvaltningen;Nya gruppen;4\n"
        "2;Socialförvaltningen > Ny enhet;Chefer;DK\n",
        encoding="utf-8",
    )
    _import(path)
    unit = Department.objects.get(organisation=organisation, name="Ny enhet")
    assert unit.parent.name == "Socialförvaltningen"
    assert Department.objects.filter(
        organisation=organisation, name="Nya förvaltningen", parent=None
    ).exists()
    assert RespondentGroup.objects.filter(organisation=organisation, name="Nya gruppen").exists()
    assert Answer.objects.filter(statement__code="F.EFF.1.1", value=None).count() == 1


def test_a_bad_file_is_rejected_with_every_bad_line_and_nothing_is_saved(
    tmp_path, organisation, questionnaire, period_2025
):
    path = tmp_path / "svar.csv"
    path.write_text(
        "respondent,department,group,F.EFF.1.1,F.EFF.2.1\n"
        "1,Nya förvaltningen,Nya gruppen,4,5\n"
        "2,Socialförvaltningen,Chefer,7,vet ej\n"
        "1,Socialförvaltningen,Chefer,3,3\n"
        "4,Socialförvaltningen,Chefer,ja,0\n"
        "5,,Chefer,3\n",
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command(
            "import_responses",
            str(path),
            "--organisation",
            "0580",
            "--period",
            "2025-HT",
            "--version",
            "dimios-open-2026",
            stdout=StringIO(),
            stderr=err,
        )
    problems = err.getvalue()
    assert "Line 3, F.EFF.1.1" in problems and "“7”" in problems
    assert "Line 4: the respondent id “1” is already used on line 2" in problems
    assert "Line 5, F.EFF.1.1" in problems and "Line 5, F.EFF.2.1" in problems
    assert "Line 6: 4 cells, but the header has 5" in problems
    assert not Round.objects.exists()
    assert not Department.objects.filter(name="Nya förvaltningen").exists()
    assert not RespondentGroup.objects.filter(name="Nya gruppen").exists()


def test_an_unknown_statement_code_or_missing_column_is_reported_on_the_header_line(
    tmp_path, organisation, questionnaire, period_2025
):
    path = tmp_path / "svar.csv"
    path.write_text("\ufeffrespondent,group,X.Y.Z\n1,Chefer,4\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_responses",
            str(path),
            "--organisation",
            "0580",
            "--period",
            "2025-HT",
            "--version",
            "dimios-open-2026",
            stdout=StringIO(),
            stderr=err,
        )
    assert "Line 1: the column “department” is missing" in err.getvalue()
    assert "Line 1: “X.Y.Z” is not a statement code of dimios-open-2026" in err.getvalue()
    assert not Round.objects.exists()


def test_an_unknown_organisation_or_period_is_reported(tmp_path, organisation, questionnaire, period_2025):
    path = tmp_path / "svar.csv"
    path.write_text("respondent,department,group,F.EFF.1.1\n1,A,B,4\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_responses",
            str(path),
            "--organisation",
            "9999",
            "--period",
            "2019-VT",
            "--version",
            "dimios-open-2026",
            stdout=StringIO(),
            stderr=err,
        )
    assert "no organisation with the code “9999”" in err.getvalue()
    assert "The measurement period 2019-VT does not exist" in err.getvalue()
    with pytest.raises(CommandError):
        call_command(
            "import_responses",
            str(path),
            "--organisation",
            "0580",
            "--period",
            "2025-XX",
            "--version",
            "dimios-open-2026",
            stdout=StringIO(),
            stderr=err,
        )
    assert "write it like 2025-HT" in err.getvalue()
    assert not Round.objects.exists()


def test_reimport_is_refused_unless_replace_is_given(tmp_path, organisation, questionnaire, period_2025):
    path = tmp_path / "svar.csv"
    path.write_text("respondent,department,group,F.EFF.1.1\n1,A,B,4\n2,A,B,5\n", encoding="utf-8")
    _import(path)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_responses",
            str(path),
            "--organisation",
            "0580",
            "--period",
            "2025-HT",
            "--version",
            "dimios-open-2026",
            stdout=StringIO(),
            stderr=err,
        )
    assert "--replace" in err.getvalue() or "replace" in err.getvalue()
    assert Response.objects.count() == 2
    path.write_text("respondent,department,group,F.EFF.1.1\n1,A,B,2\n", encoding="utf-8")
    assert "Replaced 1 responses" in _import(path, "--replace")
    assert list(Answer.objects.values_list("value", flat=True)) == [2]
    org = RoundResult.objects.get(scope="organisation")
    assert org.n_respondents == 1


def test_an_import_cannot_replace_a_round_run_in_the_application(
    tmp_path, organisation, questionnaire, period_2025
):
    Round.objects.create(organisation=organisation, period=period_2025, questionnaire=questionnaire)
    path = tmp_path / "svar.csv"
    path.write_text("respondent,department,group,F.EFF.1.1\n1,A,B,4\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_responses",
            str(path),
            "--organisation",
            "0580",
            "--period",
            "2025-HT",
            "--version",
            "dimios-open-2026",
            "--replace",
            stdout=StringIO(),
            stderr=err,
        )
    assert "run in this application" in err.getvalue()


def test_a_file_that_is_not_utf8_is_rejected(tmp_path, organisation, questionnaire, period_2025):
    path = tmp_path / "svar.csv"
    path.write_bytes("respondent,department,group,F.EFF.1.1\n1,Äldreomsorg,B,4\n".encode("cp1252"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_responses",
            str(path),
            "--organisation",
            "0580",
            "--period",
            "2025-HT",
            "--version",
            "dimios-open-2026",
            stdout=StringIO(),
            stderr=err,
        )
    assert "UTF-8" in err.getvalue()


def test_export_marks_small_sets_suppressed_instead_of_leaving_them_out(
    tmp_path, organisation, questionnaire, period_2025
):
    lines = ["respondent,department,group,F.EFF.1.1,A.ORG.1.1"]
    lines += [f"s{i},Socialförvaltningen,Chefer,5,4" for i in range(12)]
    lines += [f"u{i},Utbildningsförvaltningen,Chefer,2,3" for i in range(10)]
    lines += [f"x{i},Utbildningsförvaltningen,Strateger,6,6" for i in range(2)]
    path = tmp_path / "svar.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _import(path)
    exported = json.loads(_export())
    groups = {g["name"]: g for g in exported["groups"]}
    # Strateger has 2 respondents: hidden; Chefer would then give Strateger away by subtraction from the
    # organisation, so it is hidden too.
    assert groups["Strateger"]["suppressed"] and groups["Strateger"]["overall_percent"] == "suppressed"
    assert groups["Chefer"]["suppressed"]
    assert exported["organisation"]["n_respondents"] == 24
    rows = list(csv.DictReader(io.StringIO(_export("csv"))))
    strateger = [r for r in rows if r["name"] == "Strateger"]
    assert strateger and all(r["value"] == "suppressed" for r in strateger)


def test_a_period_that_has_not_started_is_refused(tmp_path, organisation, questionnaire):
    from tests.factories import MeasurementPeriodFactory

    MeasurementPeriodFactory(year=2030, term="VT")
    path = tmp_path / "svar.csv"
    path.write_text("respondent,department,group,F.EFF.1.1\n1,A,B,4\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_responses",
            str(path),
            "--organisation",
            "0580",
            "--period",
            "2030-VT",
            "--version",
            "dimios-open-2026",
            stdout=StringIO(),
            stderr=err,
        )
    assert "has not started yet" in err.getvalue()
    assert not Round.objects.exists()
