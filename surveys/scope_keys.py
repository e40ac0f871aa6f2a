"""The one scope-key type: which set of people a count or a stored result is about. Pure Python, no Django.

A round's figures are kept per scope – the organisation, a department (with all units under it), a
respondent group, or a department's respondent group – and every layer names them the same way: the
response-rate counts (``surveys.selectors_rounds``), the stored results (``RoundResult.scope_key``), the
anonymity rule (``maturity.suppression``, ``maturity.disclosure``) and the dashboards and annual report.
The text form (``str(key)``) is what is stored: ``organisation``, ``department:<id>``, ``group:<id>``,
``department:<id>/group:<id>``. Build keys with the constructors below and read stored ones with
``ScopeKey.parse``; nothing else spells them out.
"""

from __future__ import annotations

from dataclasses import dataclass

_ORGANISATION = "organisation"
_DEPARTMENT = "department:"
_GROUP = "group:"


@dataclass(frozen=True, slots=True)
class ScopeKey:
    department_id: int | None = None
    group_id: int | None = None

    # --- constructors ---------------------------------------------------------------------------------

    @classmethod
    def organisation(cls) -> ScopeKey:
        return ORGANISATION

    @classmethod
    def department(cls, department_id: int, group_id: int | None = None) -> ScopeKey:
        """A department (with its units); with ``group_id`` that department's respondent group."""
        return cls(int(department_id), int(group_id) if group_id else None)

    @classmethod
    def group(cls, group_id: int) -> ScopeKey:
        return cls(None, int(group_id))

    @classmethod
    def parse(cls, text: str) -> ScopeKey:
        """The key of a stored text form; ValueError for anything else."""
        if text == _ORGANISATION:
            return ORGANISATION
        department, _slash, group = text.partition("/")
        if department.startswith(_GROUP) and not group:
            return cls.group(int(department.removeprefix(_GROUP)))
        if department.startswith(_DEPARTMENT):
            department_id = int(department.removeprefix(_DEPARTMENT))
            if not group:
                return cls.department(department_id)
            if group.startswith(_GROUP):
                return cls.department(department_id, int(group.removeprefix(_GROUP)))
        raise ValueError(f"not a scope key: {text!r}")

    # --- what it is -----------------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        """``organisation``, ``department``, ``group`` or ``department_group`` (``RoundResult.Scope``)."""
        if self.department_id is None:
            return "organisation" if self.group_id is None else "group"
        return "department" if self.group_id is None else "department_group"

    @property
    def is_organisation(self) -> bool:
        return self.department_id is None and self.group_id is None

    def with_group(self, group_id: int | None) -> ScopeKey:
        """This scope narrowed to one respondent group (itself when ``group_id`` is None)."""
        if not group_id:
            return self
        if self.department_id is None:
            return ScopeKey.group(group_id)
        return ScopeKey.department(self.department_id, group_id)

    def __str__(self) -> str:
        if self.department_id is None:
            return _ORGANISATION if self.group_id is None else f"{_GROUP}{self.group_id}"
        text = f"{_DEPARTMENT}{self.department_id}"
        return text if self.group_id is None else f"{text}/{_GROUP}{self.group_id}"


ORGANISATION = ScopeKey()


def key_text(key: ScopeKey | str) -> str:
    """The stored form of a key (a text form passes through unchanged)."""
    return key if isinstance(key, str) else str(key)


def parse_or_none(text: str) -> ScopeKey | None:
    """The key of a text form, None when the text is no scope key (``maturity.suppression`` also names
    never-shown remainders, ``rest:…``)."""
    try:
        return ScopeKey.parse(text)
    except ValueError:
        return None
