"""The respondent's page shows the open default questionnaire's answer scale in its new wording (issue 17):
Stämmer inte alls · Stämmer dåligt · Stämmer ganska dåligt · Stämmer ganska bra · Stämmer bra · Stämmer helt
– also on an installation whose version was loaded, and used by a round, with the old wording."""

from __future__ import annotations

import re
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from surveys.services.questionnaires import DEFAULT_QUESTIONNAIRE, load_questionnaire_file
from tests.factories import DEFAULT_SCALE_SV

NEW_SCALE = DEFAULT_SCALE_SV


@pytest.fixture
def questionnaire(db, tmp_path):
    """The open default as installations loaded it before the new wording (the round below locks it)."""
    data = yaml.safe_load(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    data["scale_labels"]["sv"] = ["Stämmer inte alls", "Stämmer dåligt", "Stämmer delvis inte"] + [
        "Stämmer delvis",
        "Stämmer ganska bra",
        "Stämmer helt",
    ]
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_questionnaire_file(path=path)[0]


def _scale_texts(html: str, statement_pk: int) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", label).split(maxsplit=1)[1]
        for label in re.findall(rf'<label for="s{statement_pk}-[1-6]">(.*?)</label>', html)
    ]


def test_after_the_deployment_the_respondent_reads_the_new_scale(respondent, questionnaire):
    page_url = reverse("surveys:respond_page", args=[1])
    html = respondent.get(page_url).content.decode()
    assert "Stämmer delvis inte" in html  # the old wording, before the deployment
    call_command("load_questionnaire", stdout=StringIO())  # what prepare_database runs at the start
    html = respondent.get(page_url).content.decode()
    pk = int(re.search(r'data-statement="(\d+)"', html).group(1))
    assert _scale_texts(html, pk) == NEW_SCALE
    assert "Stämmer delvis" not in html
    assert questionnaire.statements.filter(pk=pk).exists()  # the same statement rows, answered as before
