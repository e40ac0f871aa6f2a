"""The demo's open round whatever day the tests run.

Between the national windows (2 Dec – 31 Jan, 2 Jun – 31 Jul) `load_demo_data` keeps the round of the window
that ended last open (docs/decisions.md, "The demo between windows"). Tests that answer the demo's survey
make sure its round is open, with the demo's own loader, and get a personal link to it."""

from __future__ import annotations

import datetime

from dimios_web.demo.open_round import last_window_day


def ensure_open_demo_round(summary: dict) -> str:
    """Open the demo's round (if none is open) and return a note with a fresh respondent link to it."""
    from django.utils import timezone

    from dimios_web.demo.load import DEMO_ORGANISATION_CODE, _demo_respondent_link
    from dimios_web.demo.open_round import load_demo_open_round
    from surveys.models import Organisation, Round

    open_round = Round.objects.filter(status=Round.Status.OPEN).first()
    if open_round is None:
        summary.setdefault("organisation", Organisation.objects.get(code=DEMO_ORGANISATION_CODE))
        day = last_window_day(timezone.localdate())
        assert day < timezone.localdate() < day + datetime.timedelta(days=62)
        open_round = load_demo_open_round(summary, today=day)
    assert open_round is not None and open_round.status == Round.Status.OPEN
    note = f"Answer the open survey as a demo respondent: {_demo_respondent_link(open_round)}"
    summary.setdefault("notes", []).append(note)
    return note
