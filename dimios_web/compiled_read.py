"""One row joined along foreign keys, read with SQL that is written once per process and database and turned
into model instances as the ORM turns its own rows (``Model.from_db``, the backend's and the fields'
converters, the related objects' caches).

For the respondent's hot path only: there, compiling a ``select_related`` queryset of four joined models
cost several times what running it did (about 2.5 ms of a page's 6, docs/performance.md). The instances are
the ORM's own: every concrete column is read, so nothing is deferred, and the joined objects are in the
caches ``select_related`` fills, so reading ``draft.round.organisation`` runs no query."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model


@dataclass(frozen=True)
class Join:
    """``alias`` is ``parent``'s ``field`` (a foreign key or one-to-one field of the parent's model)."""

    alias: str
    parent: str
    field: str


@dataclass(frozen=True)
class _Compiled:
    sql: str
    slices: list[tuple[str, type[Model], list[str], list, slice]]  # alias, model, attnames, converters, part


class CompiledRead:
    """``CompiledRead(Draft, "d", [Join("r", "d", "round"), …], where=[("d", "id"), …])`` reads
    ``SELECT every column FROM draft d JOIN round r ON r.id = d.round_id … WHERE d.id = %s AND …``; a
    condition ``(alias, field, None)`` is ``IS NULL``, one with ``"="`` takes the next parameter. A join
    over a nullable field is a LEFT JOIN; its instance is None when the row has none."""

    def __init__(self, model: type[Model], alias: str, joins: list[Join], where: list[tuple]):
        self.model, self.alias, self.joins, self.where = model, alias, joins, where
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _models(self) -> dict[str, type[Model]]:
        models: dict[str, type[Model]] = {self.alias: self.model}
        for join in self.joins:
            models[join.alias] = self._field(models[join.parent], join.field).related_model
        return models

    @staticmethod
    def _field(model: type[Model], name: str) -> Any:
        """A concrete field of ``model`` (a column, or the foreign key a join follows)."""
        return model._meta.get_field(name)

    def _compile(self, using: str) -> _Compiled:
        connection = connections[using]
        quote = connection.ops.quote_name
        models = self._models()
        columns: list[str] = []
        slices = []
        for alias, model in models.items():
            fields = model._meta.concrete_fields
            start = len(columns)
            columns += [f"{quote(alias)}.{quote(str(field.column))}" for field in fields]
            converters: list[tuple[list, Any] | None] = []
            for field in fields:  # as the ORM's compiler: the backend's converters, then the field's
                expression = field.get_col(alias)
                functions = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
                converters.append((functions, expression) if functions else None)
            attnames = [field.attname for field in fields]
            slices.append((alias, model, attnames, converters, slice(start, len(columns))))
        sql = [f"SELECT {', '.join(columns)} FROM {quote(self.model._meta.db_table)} {quote(self.alias)}"]
        for join in self.joins:
            field = self._field(models[join.parent], join.field)
            target = models[join.alias]
            kind = "LEFT OUTER JOIN" if field.null else "INNER JOIN"
            sql.append(
                f"{kind} {quote(target._meta.db_table)} {quote(join.alias)} ON "
                f"{quote(join.alias)}.{quote(field.target_field.column)} = "
                f"{quote(join.parent)}.{quote(field.column)}"
            )
        conditions = []
        for alias, name, *rest in self.where:
            where = f"{quote(alias)}.{quote(self._field(models[alias], name).column)}"
            conditions.append(f"{where} IS NULL" if rest == [None] else f"{where} = %s")
        sql.append("WHERE " + " AND ".join(conditions))
        return _Compiled(" ".join(sql), slices)

    def get(self, params: list, using: str = "default") -> dict[str, Model | None] | None:
        """alias → instance for the one row the conditions select (the first if several), or None."""
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(using, self._compile(using))
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        instances: dict[str, Model | None] = {}
        for alias, model, attnames, converters, part in compiled.slices:
            values = list(row[part])
            for index, converter in enumerate(converters):
                if converter is not None:
                    functions, column = converter
                    value = values[index]
                    for function in functions:
                        value = function(value, column, connection)
                    values[index] = value
            pk_index = attnames.index(model._meta.pk.attname)
            instances[alias] = None if values[pk_index] is None else model.from_db(using, attnames, values)
        for join in self.joins:
            parent, child = instances[join.parent], instances[join.alias]
            if parent is None:
                continue
            field = self._field(type(parent), join.field)
            field.set_cached_value(parent, child)
            if child is not None and field.one_to_one:
                field.remote_field.set_cached_value(child, parent)
        return instances
