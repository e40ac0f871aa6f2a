"""factory_boy factories. Reference data (counties, municipalities) comes from data/ via the service."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from surveys.models import (
    County,
    Department,
    MeasurementPeriod,
    Organisation,
    RespondentGroup,
    RoleAssignment,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.se")
    email = factory.LazyAttribute(lambda o: o.username)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct horse battery staple")


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("code",)

    code = "05"
    name = "Östergötlands län"
    short_name = "Östergötland"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"Testkommun {n}")
    kind = Organisation.Kind.MUNICIPALITY
    county = factory.SubFactory(CountyFactory)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Förvaltning {n}")
    parent = None


class RespondentGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RespondentGroup

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Grupp {n}")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = RoleAssignment.Role.ORG_ADMIN

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(extracted)


class MeasurementPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasurementPeriod
        django_get_or_create = ("year", "term")

    year = 2026
    term = MeasurementPeriod.Term.HT
    starts_on = factory.LazyAttribute(lambda o: MeasurementPeriod.window(o.year, o.term)[0])
    ends_on = factory.LazyAttribute(lambda o: MeasurementPeriod.window(o.year, o.term)[1])


# --- Questionnaires, rounds and invitations (the respondent's survey, issue 5) -----------------------------
# Models named as "app.Model" strings so that this section needs no imports of its own.


class QuestionnaireVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.QuestionnaireVersion"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-q{n}")
    name_sv = factory.Sequence(lambda n: f"Testenkät {n}")
    name_en = factory.Sequence(lambda n: f"Test questionnaire {n}")
    scale_labels = factory.LazyFunction(
        lambda: {
            "sv": ["Stämmer inte alls", "", "", "", "", "Stämmer helt"],
            "en": ["Does not apply at all", "", "", "", "", "Applies completely"],
        }
    )
    dont_know_label = factory.LazyFunction(lambda: {"sv": "Vet ej", "en": "Don't know"})
    k_anonymity = 5


class DimensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Dimension"

    version = factory.SubFactory(QuestionnaireVersionFactory)
    code = factory.Sequence(lambda n: f"dim{n}")
    kind = "capability"
    name_sv = factory.Sequence(lambda n: f"Dimension {n}")
    name_en = factory.Sequence(lambda n: f"Dimension {n}")
    position = factory.Sequence(lambda n: n)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Category"

    dimension = factory.SubFactory(DimensionFactory)
    version = factory.SelfAttribute("dimension.version")
    code = factory.Sequence(lambda n: f"cat{n}")
    name_sv = factory.Sequence(lambda n: f"Kategori {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    position = factory.Sequence(lambda n: n)


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Capability"

    category = factory.SubFactory(CategoryFactory)
    version = factory.SelfAttribute("category.version")
    code = factory.Sequence(lambda n: f"cap{n}")
    name_sv = factory.Sequence(lambda n: f"Förmåga {n}")
    name_en = factory.Sequence(lambda n: f"Capability {n}")
    position = factory.Sequence(lambda n: n)


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Statement"

    capability = factory.SubFactory(CapabilityFactory)
    version = factory.SelfAttribute("capability.version")
    code = factory.Sequence(lambda n: f"st{n}")
    text_sv = factory.Sequence(lambda n: f"Påstående nummer {n} om organisationen.")
    text_en = factory.Sequence(lambda n: f"Statement number {n} about the organisation.")
    position = factory.Sequence(lambda n: n)


def build_questionnaire(
    *, categories_per_dimension: int = 2, statements_per_category: int = 3, **version_kwargs
):
    """A small questionnaire: a capability and a legacy dimension, each with categories of one capability
    holding the given number of statements."""
    version = QuestionnaireVersionFactory(**version_kwargs)
    for d_pos, kind in enumerate(("capability", "legacy")):
        dimension = DimensionFactory(version=version, kind=kind, code=f"{kind}", position=d_pos)
        for c_pos in range(categories_per_dimension):
            category = CategoryFactory(dimension=dimension, version=version, position=c_pos)
            capability = CapabilityFactory(category=category, version=version, position=0)
            for s_pos in range(statements_per_category):
                StatementFactory(capability=capability, version=version, position=s_pos)
    return version


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Round"

    organisation = factory.SubFactory(OrganisationFactory)
    period = factory.SubFactory(MeasurementPeriodFactory)
    questionnaire = factory.LazyFunction(build_questionnaire)
    status = "open"
    anonymous = True


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Invitation"

    round = factory.SubFactory(RoundFactory)
    email = factory.Sequence(lambda n: f"svarande{n}@kommun.example")
    department = factory.LazyAttribute(lambda o: DepartmentFactory(organisation=o.round.organisation))
    group = factory.LazyAttribute(lambda o: RespondentGroupFactory(organisation=o.round.organisation))
    send_status = "sent"


def issue_link_token(invitation) -> str:
    """A fresh personal-link token for the invitation; returns the raw token (only its hash is stored)."""
    from surveys.models import InvitationToken
    from surveys.tokens import new_token

    raw, token_hash = new_token()
    InvitationToken.objects.create(invitation=invitation, token_hash=token_hash)
    return raw


# The answer scale of the open default questionnaire since issue 17 (docs/swedish.md), as respondents read it.
DEFAULT_SCALE_SV = [
    "Stämmer inte alls",
    "Stämmer dåligt",
    "Stämmer ganska dåligt",
    "Stämmer ganska bra",
    "Stämmer bra",
    "Stämmer helt",
]
