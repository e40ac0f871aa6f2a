"""Fixtures of the maturity tests: the open default questionnaire and the periods of earlier rounds."""

from __future__ import annotations

import pytest


@pytest.fixture
def questionnaire(db):
    from surveys.services.questionnaires import ensure_default_questionnaire

    return ensure_default_questionnaire()


@pytest.fixture
def period_2025(db):
    from tests.factories import MeasurementPeriodFactory

    return MeasurementPeriodFactory(year=2025, term="HT")


@pytest.fixture
def english():
    """Command-line messages in English (the source language), whatever catalogues are compiled."""
    from django.utils import translation

    with translation.override("en"):
        yield
