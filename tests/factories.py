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
