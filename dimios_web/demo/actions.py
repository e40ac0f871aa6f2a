"""The demo municipality's action plan (issue 16, docs/actions.md): a handful of actions on its departments
from its closed rounds, owned by the demo staff, tied to budget assignments, with notes; two overdue, one
due within two weeks, one done, one dropped, and one department without an action (so the coverage view
has something to say). The department representative's (Social- och omsorgsförvaltningen with its units)
include one overdue and the one due soon, for their start page and dashboard (docs/actions.md, "Where
actions show"). The actions on the HT 2024 round are followed up at HT 2025 (docs/actions.md, "Did it
move?"); the demo has no reorganisation, so no department succession.

Recorded through ``maturity.services.actions`` (validated and audited as a person's would be). Idempotent:
an action whose title the organisation already has is left alone. Dates are set relative to the day the
demo is first loaded, so that the overdue ones are overdue and the others are not."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from maturity.models import Action
from maturity.services import actions as services
from surveys.access import Visibility
from surveys.models import Capability, Department, Organisation, Round

# (title, department (None: the whole organisation), round year, capability codes, owner key, priority,
#  start and due in days from today, status, plan reference, description, notes as (days from today, text))
DEMO_ACTIONS = [
    (
        "Digital signering av genomförandeplaner i hemtjänsten",
        "Äldreomsorg",
        2025,
        ["F.INN.5", "A.TEK.1"],
        "rep",
        Action.Priority.HIGH,
        (-60, 150),
        Action.Status.IN_PROGRESS,
        "Budgetuppdrag 2025:14",
        "Genomförandeplanerna signeras i verksamhetssystemet i stället för på papper, så att "
        "omsorgspersonalen ser den gällande planen i mobilen.",
        [
            (-45, "Upphandlingen av e-signaturtjänsten är klar; avtal tecknat med leverantören."),
            (-10, "Pilot i två hemtjänstområden startar efter nyår. Utbildning av 40 medarbetare är bokad."),
        ],
    ),
    (
        "Gemensam förvaltningsmodell för verksamhetssystemen",
        None,
        2025,
        ["F.EFF.2", "A.ORG.2"],
        "staff",
        Action.Priority.HIGH,
        (-30, 330),
        Action.Status.PLANNED,
        "Budgetuppdrag 2025:3",
        "Alla förvaltningar förvaltar sina system efter samma modell, med utsedda objektägare och en årlig "
        "förvaltningsplan.",
        [],
    ),
    (
        "Kompetenslyft i informationssäkerhet för chefer",
        "Social- och omsorgsförvaltningen",
        2024,
        ["F.EFF.6", "F.BAL.5"],
        "rep",
        Action.Priority.MEDIUM,
        (-420, -200),
        Action.Status.DONE,
        "Budgetuppdrag 2024:7",
        "Alla chefer går den digitala utbildningen i informationssäkerhet och GDPR.",
        [(-205, "Genomfört: 112 av 118 chefer har gått utbildningen.")],
    ),
    (
        "Nyttorealisering i alla digitaliseringsprojekt",
        "Kommunledningsförvaltningen",
        2024,
        ["F.BAL.4", "F.BAL.2"],
        "staff",
        Action.Priority.HIGH,
        (-300, -20),
        Action.Status.IN_PROGRESS,
        "Budgetuppdrag 2024:11",
        "Varje digitaliseringsprojekt över 500 000 kronor har en nyttokalkyl som följs upp ett år efter "
        "införandet.",
        [
            (
                -40,
                "Mallen för nyttokalkyl är klar, men uppföljningen är ännu inte inarbetad i projektmodellen.",
            )
        ],
    ),
    (
        "Publicera lekplatser och badplatser som öppna data",
        "Miljö- och samhällsbyggnadsförvaltningen",
        2025,
        ["F.INN.2"],
        "staff",
        Action.Priority.LOW,
        (0, 240),
        Action.Status.PLANNED,
        "Digitaliseringsplan 2026–2028",
        "",
        [],
    ),
    (
        "Egen app för felanmälan i gatumiljön",
        "Miljö- och samhällsbyggnadsförvaltningen",
        2024,
        ["F.INN.1", "F.INN.6"],
        "management",
        Action.Priority.MEDIUM,
        (-250, -60),
        Action.Status.DROPPED,
        "Budgetuppdrag 2024:15",
        "",
        [(-120, "Avbruten: felanmälan ingår i kommunens gemensamma e-tjänsteplattform från och med våren.")],
    ),
    # Two more of Sam Socialrepresentant's (soc@linkoping.example), so that their start page and their
    # department's dashboard have something due: one overdue, one due within two weeks.
    (
        "Rutin för informationsklassning i individ- och familjeomsorgen",
        "Individ- och familjeomsorg",
        2025,
        ["F.EFF.6", "A.ORG.2"],
        "rep",
        Action.Priority.HIGH,
        (-120, -14),
        Action.Status.IN_PROGRESS,
        "Budgetuppdrag 2025:16",
        "Alla system i individ- och familjeomsorgen har en informationsklassning och en utsedd "
        "informationsägare.",
        [(-30, "Klassningen är klar för fyra av sju system; verksamhetssystemet återstår.")],
    ),
    (
        "Digital nattillsyn i hemtjänsten",
        "Social- och omsorgsförvaltningen",
        2025,
        ["F.INN.5", "F.EFF.2"],
        "rep",
        Action.Priority.MEDIUM,
        (-20, 9),
        Action.Status.PLANNED,
        "Budgetuppdrag 2025:14",
        "Nattillsyn med kamera för de brukare som vill det, efter samtycke.",
        [],
    ),
    (
        "Skolans lärplattform i drift i molnet",
        "Utbildningsförvaltningen",
        2025,
        ["F.EFF.4", "A.TEK.2"],
        "staff",
        Action.Priority.MEDIUM,
        (-15, 200),
        Action.Status.PLANNED,
        "Budgetuppdrag 2025:9",
        "",
        [],
    ),
]


def _days(today: datetime.date, offset: int) -> datetime.date:
    return today + datetime.timedelta(days=offset)


def load_demo_actions(summary: dict, *, organisation: Organisation, owners: dict) -> None:
    """Record the demo actions that are not there yet (``owners``: "staff", "management", "rep" → user)."""
    rounds = {
        r.period.year: r
        for r in Round.objects.filter(organisation=organisation, status=Round.Status.CLOSED).select_related(
            "period"
        )
    }
    existing = set(Action.objects.filter(organisation=organisation).values_list("title", flat=True))
    departments = {d.name: d for d in Department.objects.filter(organisation=organisation)}
    today = timezone.localdate()
    created = 0
    for (
        title,
        department_name,
        year,
        codes,
        owner_key,
        priority,
        (start, due),
        status,
        plan,
        description,
        notes,
    ) in DEMO_ACTIONS:
        round_ = rounds.get(year)
        if title in existing or round_ is None:
            continue
        actor = owners[owner_key]
        action = services.create_action(
            organisation=organisation,
            round=round_,
            department=departments.get(department_name) if department_name else None,
            title=title,
            description=description,
            capabilities=list(Capability.objects.filter(version_id=round_.questionnaire_id, code__in=codes)),
            owner=actor,
            priority=priority,
            starts_on=_days(today, start),
            due_on=_days(today, due),
            plan_reference=plan,
            scope=Visibility.everything(),
            actor=owners["staff"],
        )
        for offset, text in notes:
            services.add_action_note(
                action=action,
                text=text,
                written_on=_days(today, min(offset, 0)),
                scope=Visibility.everything(),
                actor=actor,
            )
        if status != Action.Status.PLANNED:
            services.set_action_status(
                action=action, status=status, scope=Visibility.everything(), actor=actor
            )
        created += 1
    if created:
        summary["notes"].append(
            f"Action plan: {created} actions of {organisation.name} at "
            f"{settings.SITE_URL}/o/{organisation.code}/atgarder/ "
            "(two overdue, one done, one dropped; Kultur- och fritidsförvaltningen has none)."
        )
