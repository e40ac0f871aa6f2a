"""The save request's parse (surveys.forms.respond.parse_saved_answers): all or nothing, and nothing but the
seven choices for statement fields written in ASCII digits."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from surveys.forms.respond import parse_saved_answers


def _data(query: str) -> QueryDict:
    return QueryDict(query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("s12=3", {12: 3}),
        ("s12=dk&s13=6&csrfmiddlewaretoken=x", {12: None, 13: 6}),
        ("statement=12&value=1", {12: 1}),
        ("statement=12&value=dk", {12: None}),
    ],
)
def test_the_choices_are_read(query, expected):
    assert parse_saved_answers(_data(query)) == expected


@pytest.mark.parametrize(
    "query",
    [
        "",  # nothing sent
        "csrfmiddlewaretoken=x",
        "s12=7",
        "s12=0",
        "s12=",
        "s12=3&s13=x",  # one bad answer spoils all
        "s12=3&s12=4",  # the same statement twice: which one?
        "s12=%203",
        "s12=DK",
        "statement=12&value=7",
        "statement=0&value=3",
        "statement=-1&value=3",
        "statement=1.5&value=3",
        "statement=%D9%A1&value=3",  # an Arabic-Indic digit one
        "statement=&value=3",
        "statement=12",
    ],
)
def test_anything_else_is_refused_whole(query):
    assert parse_saved_answers(_data(query)) is None


@pytest.mark.parametrize("key", ["s%D9%A1%D9%A2", "s12%0A", "S12", "s", "s12345678901"])
def test_fields_that_only_look_like_statements_are_not_answers(key):
    assert parse_saved_answers(_data(f"{key}=3")) is None
    assert parse_saved_answers(_data(f"{key}=3&s5=2")) == {5: 2}
