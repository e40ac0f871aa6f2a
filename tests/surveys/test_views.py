"""The round pages through Django's test client: permissions, messages and what ends up saved."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from surveys.models import AuditEvent, Invitation, RespondentImport, Round
from tests.surveys.conftest import add_invitations

MATURITY_PAGES = {"round_detail", "round_rates", "round_close"}  # maturity's views since issue 13, same paths


def url(name, round_, *extra):
    app = "maturity" if name in MATURITY_PAGES else "surveys"
    return reverse(f"{app}:{name}", args=[round_.organisation.code, round_.pk, *extra])


@pytest.fixture
def admin_client(client, org_admin):
    client.force_login(org_admin)
    return client


def test_the_round_list_shows_the_windows_with_their_state(admin_client, organisation):
    response = admin_client.get(reverse("surveys:round_list", args=[organisation.code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Vårtermin (VT): 1 februari – 1 juni" in body
    assert "Kommande" in body


def test_creating_a_round_with_a_date_outside_the_window_shows_the_error_and_saves_nothing(
    admin_client, organisation, running_period, questionnaire
):
    response = admin_client.post(
        reverse("surveys:round_create", args=[organisation.code]),
        {
            "period": running_period.pk,
            "questionnaire": questionnaire.pk,
            "anonymous": "on",
            "closes_on": (running_period.ends_on + datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Stängningsdatumet måste ligga inom mätperioden" in response.content.decode()
    assert not Round.objects.exists()


def test_an_admin_creates_a_round_and_is_sent_on_to_the_respondents(
    admin_client, organisation, running_period, questionnaire, social_department
):
    response = admin_client.post(
        reverse("surveys:round_create", args=[organisation.code]),
        {
            "period": running_period.pk,
            "questionnaire": questionnaire.pk,
            "anonymous": "on",
            "departments": [social_department.pk],
        },
    )
    round_ = Round.objects.get()
    assert response.status_code == 302 and response.url == url("round_respondents", round_)
    assert list(round_.departments.all()) == [social_department]


def test_uploading_a_file_with_a_bad_row_previews_it_and_imports_only_the_good_rows_on_request(
    admin_client, draft_round
):
    content = "e-post;förvaltning;grupp\nok@example.se;Socialförvaltningen;Chefer\nbad;X;Chefer\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin_client.post(
        url("round_respondents", draft_round),
        {"upload": "1", "file": SimpleUploadedFile("lista.csv", content, content_type="text/csv")},
    )
    upload = RespondentImport.objects.get()
    assert response.status_code == 302 and response.url == url("round_import", draft_round, upload.pk)
    preview = admin_client.get(response.url).content.decode()
    assert "inte en giltig e-postadress" in preview and "Okänd förvaltning ”X”" in preview
    assert not Invitation.objects.exists()
    response = admin_client.post(url("round_import", draft_round, upload.pk), {"action": "all"})
    assert response.status_code == 200 and not Invitation.objects.exists()
    response = admin_client.post(url("round_import", draft_round, upload.pk), {"action": "good"})
    assert response.status_code == 302
    assert list(Invitation.objects.values_list("email", flat=True)) == ["ok@example.se"]


def test_opening_needs_a_confirmation_and_then_sends_the_invitations(
    admin_client, draft_round, social_department, groups, django_capture_on_commit_callbacks
):
    add_invitations(draft_round, social_department, groups[0], 2)
    response = admin_client.post(url("round_open", draft_round), {})
    assert response.status_code == 200 and Round.objects.get().status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("round_open", draft_round), {"confirm": "on"})
    assert response.status_code == 302
    assert Round.objects.get().status == "open"
    assert len(mail.outbox) == 2


def test_opening_without_respondents_shows_why(admin_client, draft_round):
    page = admin_client.get(url("round_open", draft_round)).content.decode()  # up front (issue 17)
    assert "Mätomgången går inte att öppna nu." in page and "Mätomgången har inga respondenter" in page
    assert 'name="confirm"' not in page
    response = admin_client.post(url("round_open", draft_round), {"confirm": "on"})
    assert "Mätomgången har inga respondenter" in response.content.decode()
    assert Round.objects.get().status == "draft"


def test_opening_before_the_opening_date_says_so_before_the_question(
    admin_client, draft_round, social_department, groups
):
    import datetime

    from django.utils import timezone

    add_invitations(draft_round, social_department, groups[0], 2)
    Round.objects.filter(pk=draft_round.pk).update(
        opens_on=timezone.localdate() + datetime.timedelta(days=3),
        closes_on=timezone.localdate() + datetime.timedelta(days=20),
    )
    page = admin_client.get(url("round_open", draft_round)).content.decode()
    assert "Mätomgången går inte att öppna nu." in page and "dess öppningsdatum" in page
    assert 'name="confirm"' not in page and "Tillbaka till mätomgången" in page
    admin_client.post(url("round_open", draft_round), {"confirm": "on"})
    assert Round.objects.get().status == "draft"


def test_the_round_page_shows_rates_and_a_locally_served_chart(admin_client, open_round):
    from django.utils import timezone

    from surveys.models import Invitation, SubmissionDay
    from tests.surveys.conftest import add_invitations

    department = open_round.organisation.departments.get(name="Socialförvaltningen")
    add_invitations(open_round, department, open_round.organisation.respondent_groups.first(), 4, prefix="x")
    Invitation.objects.filter(round=open_round).update(submitted=True)
    SubmissionDay.objects.create(round=open_round, department=department, day=timezone.localdate(), count=7)
    body = admin_client.get(url("round_detail", open_round)).content.decode()
    assert "Svarsfrekvens" in body and 'data-rate="invited">7<' in body
    assert "/static/vendor/plotly/plotly-cartesian.min.js" in body and "cdn" not in body.lower()
    assert 'id="submission-curve-data"' in body


def test_closing_asks_for_confirmation_and_is_logged(admin_client, open_round, org_admin):
    admin_client.post(url("round_close", open_round), {"confirm": "on"})
    assert Round.objects.get().status == "closed"
    assert AuditEvent.objects.filter(action="round.closed", actor=org_admin).exists()


def test_editing_the_texts_offers_a_preview_before_saving(admin_client, open_round):
    data = {
        "invitation_sv_subject": "Hej från {organisation}",
        "invitation_sv_body": "Svara: {link}",
        "preview": "1",
    }
    response = admin_client.post(url("round_texts", open_round), data)
    body = response.content.decode()
    assert f"Hej från {open_round.organisation.name}" in body and "Svara: http" in body
    assert Round.objects.get().message_texts == {}
    data.pop("preview")
    data["save"] = "1"
    admin_client.post(url("round_texts", open_round), data)
    assert Round.objects.get().message_texts["invitation"]["sv"]["subject"] == "Hej från {organisation}"


def test_the_open_link_page_says_rates_and_reminders_are_not_available(admin_client, open_round):
    admin_client.post(url("round_open_link", open_round), {"enabled": "1"})
    round_ = Round.objects.get()
    body = admin_client.get(url("round_detail", round_)).content.decode()
    assert reverse("surveys:respond_open", args=[round_.open_link_key]) in body
    assert "svarsfrekvens och påminnelser finns inte" in body


def test_a_department_representative_sees_the_rates_but_cannot_act(client, dept_rep, open_round):
    client.force_login(dept_rep)
    response = client.get(url("round_detail", open_round))
    assert response.status_code == 200
    assert url("round_close", open_round) not in response.content.decode()
    assert client.post(url("round_close", open_round), {"confirm": "on"}).status_code == 403
    assert client.get(url("round_respondents", open_round)).status_code == 403
    assert Round.objects.get().status == "open"


def test_someone_from_another_organisation_gets_not_found(client, outsider, open_round):
    client.force_login(outsider)
    assert client.get(url("round_detail", open_round)).status_code == 404


@pytest.mark.parametrize("respondents", [3, 300])
def test_the_round_page_needs_a_bounded_number_of_queries(
    admin_client, open_round, social_department, groups, respondents, django_assert_max_num_queries
):
    add_invitations(open_round, social_department, groups[1], respondents, prefix="many")
    with django_assert_max_num_queries(30):
        assert admin_client.get(url("round_detail", open_round)).status_code == 200
    with django_assert_max_num_queries(15):
        assert admin_client.get(url("round_respondents", open_round)).status_code == 200


def test_editing_a_draft_round_keeps_the_window_rules(
    admin_client, draft_round, running_period, questionnaire
):
    response = admin_client.post(
        url("round_edit", draft_round),
        {
            "questionnaire": questionnaire.pk,
            "opens_on": (running_period.starts_on - datetime.timedelta(days=1)),
        },
    )
    assert "Öppningsdatumet måste ligga inom mätperioden" in response.content.decode()
    admin_client.post(url("round_edit", draft_round), {"questionnaire": questionnaire.pk})
    assert Round.objects.get().anonymous is False  # the box was left unticked


def test_send_and_remind_buttons_tell_the_admin_what_happened(
    admin_client, open_round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("round_send", open_round), follow=True)
    assert "Skickar de inbjudningar som inte har gått iväg" in response.content.decode()
    assert len(mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("round_remind", open_round), follow=True)
    assert "Påminnelser skickas" in response.content.decode()
    assert len(mail.outbox) == 6
    response = admin_client.post(url("round_remind", open_round), follow=True)
    assert response.status_code == 200 and len(mail.outbox) == 6  # nobody twice a day


def test_the_reminder_schedule_and_closing_date_are_set_on_the_round_page(admin_client, open_round):
    response = admin_client.post(url("round_reminder_schedule", open_round), {"days": "7, 14"}, follow=True)
    assert "Påminnelseschemat sparades." in response.content.decode()
    response = admin_client.post(url("round_reminder_schedule", open_round), {"days": "sju"}, follow=True)
    assert "Skriv heltal åtskilda med komma" in response.content.decode()
    assert Round.objects.get().reminder_days == [7, 14]
    late = open_round.period.ends_on + datetime.timedelta(days=1)
    response = admin_client.post(
        url("round_closing_date", open_round), {"closes_on": late.isoformat()}, follow=True
    )
    assert "Stängningsdatumet måste ligga inom mätperioden" in response.content.decode()
    assert Round.objects.get().closes_on is None


def test_removing_a_respondent_needs_a_confirmation(admin_client, open_round):
    invitation = Invitation.objects.first()
    assert admin_client.post(url("respondent_remove", open_round, invitation.pk), {}).status_code == 200
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    response = admin_client.post(url("respondent_remove", open_round, invitation.pk), {"confirm": "on"})
    assert response.status_code == 302
    assert not Invitation.objects.filter(pk=invitation.pk).exists()


def test_the_rates_fragment_refreshes_with_the_scope_of_the_viewer(client, dept_rep, open_round):
    client.force_login(dept_rep)
    body = client.get(url("round_rates", open_round)).content.decode()
    assert 'id="round-rates"' in body and 'hx-trigger="every 30s"' in body
    assert "Socialförvaltningen" in body and "Utbildningsförvaltningen" not in body
    assert client.get(reverse("surveys:round_list", args=[open_round.organisation.code])).status_code == 200


def test_the_round_list_shows_who_was_invited_who_answered_and_links_closed_rounds_to_their_results(
    admin_client, open_round, organisation
):
    """Issue 17: the real number of respondents (an open round's submitted invitations, a closed round's
    stored responses, the open link's and an import's included), never a count for a draft, and a closed
    round's results one click away."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reports.conftest import make_closed_round

    Invitation.objects.filter(round=open_round).update(submitted=False)
    first = Invitation.objects.filter(round=open_round).order_by("pk").first()
    Invitation.objects.filter(pk=first.pk).update(submitted=True)
    invited_open = Invitation.objects.filter(round=open_round, revoked_at__isnull=True).count()
    closed = make_closed_round(organisation, year=2024, per_department=6)  # responses, no invitations
    n_closed = closed.responses.count()
    list_url = reverse("surveys:round_list", args=[organisation.code])
    admin_client.get(list_url)  # the first one stores the coming measurement windows
    with CaptureQueriesContext(connection) as few:
        html = admin_client.get(list_url).content.decode()
    make_closed_round(organisation, year=2023, per_department=6)
    with CaptureQueriesContext(connection) as more:
        admin_client.get(list_url)
    assert len(more) == len(few)  # the counts are subqueries of the one query of rounds
    rows = {
        m.group(1): re.findall(r"<td[^>]*>(.*?)</td>", m.group(0), re.S)
        for m in re.finditer(r"<tr>\s*<td><a [^>]*>([^<]+)</a></td>.*?</tr>", html, re.S)
    }
    open_row, closed_row = rows[str(open_round.period)], rows["HT 2024"]
    assert (open_row[4], open_row[5], open_row[6]) == (str(invited_open), "1", "–")
    assert (closed_row[4], closed_row[5]) == ("–", str(n_closed))
    results = reverse("reports:dashboard", args=[organisation.code]) + f"?round={closed.pk}"
    assert f'href="{results}">Resultat HT 2024</a>' in closed_row[6]
    assert "31 augusti" in html or "augusti" in html or "oktober" in html  # months in words, not "Okt"
    assert " Okt " not in html and " Aug " not in html
    detail = admin_client.get(url("round_detail", closed)).content.decode()
    assert f'href="{results}">Se mätomgångens resultat</a>' in detail


def test_a_draft_round_in_the_list_shows_no_answers(admin_client, draft_round, organisation):
    import re

    html = admin_client.get(reverse("surveys:round_list", args=[organisation.code])).content.decode()
    row = re.search(r"<tr>\s*<td><a [^>]*>[^<]+</a></td>.*?</tr>", html, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[1] == "Utkast" and cells[5] == "–" and cells[6] == "–"


def test_a_draft_round_shows_no_response_rate_and_no_empty_chart(
    admin_client, draft_round, social_department, groups
):
    add_invitations(draft_round, social_department, groups[0], 3)
    html = admin_client.get(url("round_detail", draft_round)).content.decode()
    assert "Mätomgången är inte öppnad ännu: 3 respondenter är tillagda." in html
    assert 'id="round-rates"' not in html and "Inskickade svar per dag" not in html
    assert 'data-rate="rate"' not in html and "plotly" not in html


def test_the_round_pages_log_says_what_happened_in_words_not_codes(admin_client, open_round):
    """Issue 17: the round page's log reads like the organisation's audit log ("Skickade inbjudningar …"),
    not as the code and its details ("invitations.sent sent=3 failed=0")."""
    from surveys.services.audit import AuditAction, record_event

    record_event(
        action=AuditAction.INVITATIONS_SENT,
        organisation=open_round.organisation,
        round=open_round,
        target=str(open_round),
        details={"sent": 3, "failed": 0, "bounced": 0},
    )
    html = admin_client.get(url("round_detail", open_round)).content.decode()
    log = html[html.index('id="audit-heading"') :]
    assert f"Skickade inbjudningar för {open_round}: 3 skickade, 0 misslyckade" in log
    assert "invitations.sent" not in log and "sent=3" not in log
