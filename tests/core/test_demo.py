"""`make run`'s demo data: the whole product at once, and a second run adds nothing."""

import re
import sys
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from dimios_web.demo.load import DEMO_PASSWORD
from maturity.models import Action, ActionNote, RoundResult
from surveys.models import Department, Invitation, Organisation, Response, RoleAssignment, Round
from surveys.services.periods import period_for

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Organisation,
            Department,
            Round,
            Response,
            Invitation,
            RoleAssignment,
            RoundResult,
            Action,
            ActionNote,
            get_user_model(),
        )
    }


def test_demo_data_shows_the_whole_product_and_loading_it_again_adds_nothing(client, settings):
    settings.REPORT_CHROMIUM_PATH = sys.executable  # a file that exists: Chromium "is there"
    first = StringIO()
    call_command("load_demo_data", stdout=first)
    assert "Chromium is not installed" not in first.getvalue()
    before = counts()
    # `PORT=8001 make run` (DJANGO_SITE_URL follows the port), on a machine without Chromium
    settings.SITE_URL = "http://127.0.0.1:8001"
    settings.REPORT_CHROMIUM_PATH = "/nonexistent/chromium"
    second = StringIO()
    call_command("load_demo_data", stdout=second)
    assert counts() == before
    assert (
        "The site: http://127.0.0.1:8001/ (log in at http://127.0.0.1:8001/konto/logga-in/)"
        in second.getvalue()
    )
    assert "http://127.0.0.1:8001/nationell-oversikt/" in second.getvalue()
    assert "127.0.0.1:8000" not in second.getvalue()
    assert "Chromium is not installed: the annual report's PDF cannot be made" in second.getvalue()

    demo = Organisation.objects.get(code="0580")
    assert demo.departments.filter(parent__isnull=False).exists()  # a tree of departments
    closed = Round.objects.filter(organisation=demo, status=Round.Status.CLOSED)
    assert closed.values("period__year").distinct().count() >= 3  # three years of closed rounds
    assert Organisation.objects.exclude(pk=demo.pk).filter(rounds__status="closed").distinct().count() >= 5
    assert RoundResult.objects.filter(round__organisation=demo).exists()
    # The action plan (docs/actions.md): owned by the demo staff, tied to budget assignments, with notes, some
    # overdue and one done, and a department without one.
    actions = list(Action.objects.filter(organisation=demo).select_related("owner", "round"))
    assert len(actions) >= 5 and ActionNote.objects.filter(action__organisation=demo).count() >= 2
    assert sum(a.is_overdue for a in actions) >= 1 and any(a.status == "done" for a in actions)
    assert all(
        a.round.status == "closed" and a.owner.role_assignments.filter(organisation=demo) for a in actions
    )
    assert any(a.plan_reference.startswith("Budgetuppdrag") for a in actions)
    assert demo.departments.exclude(actions__isnull=False).exists()
    # Did it move? Actions on an earlier closed round are followed up at the next one, with changes shown.
    from maturity.selectors_followup import FOLLOWED, get_action_followups
    from surveys.access import Visibility

    followups = get_action_followups(actions, Visibility.everything()).values()
    assert any(f.state == FOLLOWED and f.n_shown for f in followups)

    output = second.getvalue()
    for username in (
        "admin",
        "digistab@linkoping.example",
        "ledning@linkoping.example",
        "soc@linkoping.example",
    ):
        assert username in output
        assert get_user_model().objects.get(username=username).check_password(DEMO_PASSWORD)

    # An open round to answer whatever the day: between the national windows, the last window's round.
    open_round = Round.objects.get(organisation=demo, status=Round.Status.OPEN)
    if period_for(timezone.localdate()) is None:
        assert "No measurement window runs today" in first.getvalue()
        assert open_round.period.ends_on < timezone.localdate()
    link = re.search(r"http://127.0.0.1:8001/s/(\S+)/", output)
    assert link, output
    response = client.get(f"/s/{link.group(1)}/", follow=True)
    assert response.status_code == 200
    assert "Linköpings kommun" in response.content.decode()


def test_the_demo_platform_admin_logs_in_with_the_published_authenticator_key(client, settings):
    from dimios_web.demo.identity import current_code

    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "demo_totp_code" in out.getvalue()
    response = client.post("/konto/logga-in/", {"login": "admin", "password": DEMO_PASSWORD})
    assert response["Location"] == "/konto/tvafaktor/kod/"
    code = StringIO()
    settings.DEBUG = True  # the command is for the local demo only
    call_command("demo_totp_code", stdout=code)
    assert code.getvalue().strip() == current_code()
    response = client.post("/konto/tvafaktor/kod/", {"code": code.getvalue().strip()})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    # The demo's organisation staff keep logging in with their password alone.
    client.post("/konto/logga-ut/")
    response = client.post(
        "/konto/logga-in/", {"login": "digistab@linkoping.example", "password": DEMO_PASSWORD}
    )
    assert response["Location"] == "/"
