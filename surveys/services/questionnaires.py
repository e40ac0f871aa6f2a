"""Questionnaire versions as data: load a version from a YAML/JSON file (idempotent, keyed on codes and a
checksum) and export its structure so that other tools can score the same data."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from dimios_web.exceptions import DomainError

from ..models import Capability, Category, Dimension, QuestionnaireVersion, Statement, TypeDescription
from ..selectors.respond import forget_questionnaire_structures
from .audit import ActorLike, AuditAction, record_event

DEFAULT_QUESTIONNAIRE = (
    Path(__file__).resolve().parent.parent / "data" / "questionnaires" / "dimios-open-2026.yaml"
)
DEFAULT_VERSION_CODE = "dimios-open-2026"
LANGS = ("sv", "en")


def _text(node, where: str) -> dict[str, str]:
    if not isinstance(node, dict) or not all(
        isinstance(node.get(lang), str) and node[lang].strip() for lang in LANGS
    ):
        raise DomainError(_("%(where)s needs a Swedish and an English text (sv, en).") % {"where": where})
    return {lang: " ".join(node[lang].split()) for lang in LANGS}


def _weight(node: dict, where: str) -> str:
    raw = node.get("weight", 1)
    try:
        value = Decimal(str(raw))
    except Exception:  # noqa: BLE001 - any unreadable weight is reported as invalid just below
        value = Decimal(-1)
    if value <= 0:
        raise DomainError(_("%(where)s has a weight that is not a positive number.") % {"where": where})
    return str(value.normalize())


def parse_questionnaire(data) -> dict:
    """Check a questionnaire document and return it in canonical form (the form the checksum is taken of)."""
    if not isinstance(data, dict):
        raise DomainError(_("A questionnaire file must be a mapping with a code, names and dimensions."))
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        raise DomainError(_("The questionnaire has no code."))
    codes: set[str] = set()

    def unique(item_code, where):
        if not isinstance(item_code, str) or not item_code.strip():
            raise DomainError(_("%(where)s has no code.") % {"where": where})
        if item_code in codes:
            raise DomainError(_("The code %(code)s is used twice.") % {"code": item_code})
        codes.add(item_code)
        return item_code

    labels = data.get("scale_labels") or {}
    for lang in LANGS:
        if not isinstance(labels.get(lang), list) or len(labels[lang]) != 6:
            raise DomainError(_("The scale needs six labels in Swedish and in English."))
    k = data.get("k_anonymity", 5)
    if not isinstance(k, int) or k < 3:
        raise DomainError(
            _("k (the minimum number of responses shown) must be a whole number of at least 3.")
        )
    cutoffs = {}
    for key in ("capability_cutoff", "legacy_cutoff"):
        value = data.get(key, 50)
        if not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise DomainError(_("The cut-offs must be percentages between 0 and 100."))
        cutoffs[key] = str(Decimal(str(value)).normalize())
    types = data.get("types") or {}
    if sorted(types) != ["A", "B", "C", "D"]:
        raise DomainError(_("The questionnaire needs the texts of the four types A, B, C and D."))
    doc: dict[str, Any] = {
        "code": code.strip(),
        "name": _text(data.get("name"), "name"),
        "description": _text(data["description"], "description")
        if data.get("description")
        else {"sv": "", "en": ""},
        "scale_labels": {lang: [str(label) for label in labels[lang]] for lang in LANGS},
        "dont_know_label": _text(data.get("dont_know_label"), "dont_know_label"),
        "k_anonymity": k,
        **cutoffs,
        "types": {
            t: {
                part: _text((types[t] or {}).get(part), f"type {t} {part}")
                for part in ("title", "description", "recommendations")
            }
            for t in "ABCD"
        },
        "dimensions": [],
    }
    maps_from = data.get("maps_from")
    if maps_from:
        # Only present when set, so that the checksum of files without it stays as it was.
        if not isinstance(maps_from, str) or maps_from.strip() == doc["code"]:
            raise DomainError(_("maps_from must name another, earlier questionnaire version."))
        doc["maps_from"] = maps_from.strip()
    kinds = set()
    for dimension in data.get("dimensions") or []:
        dim_code = unique(dimension.get("code"), "dimension")
        kind = dimension.get("kind")
        if kind not in Dimension.Kind.values or kind in kinds:
            raise DomainError(
                _("Dimension %(code)s: the kind must be “capability” or “legacy”, each used once.")
                % {"code": dim_code}
            )
        kinds.add(kind)
        dim = {
            "code": dim_code,
            "kind": kind,
            "name": _text(dimension.get("name"), dim_code),
            "weight": _weight(dimension, dim_code),
            "categories": [],
        }
        for category in dimension.get("categories") or []:
            cat_code = unique(category.get("code"), f"{dim_code} category")
            cat = {
                "code": cat_code,
                "name": _text(category.get("name"), cat_code),
                "weight": _weight(category, cat_code),
                "capabilities": [],
            }
            for capability in category.get("capabilities") or []:
                cap_code = unique(capability.get("code"), f"{cat_code} capability")
                cap = {
                    "code": cap_code,
                    "name": _text(capability.get("name"), cap_code),
                    "weight": _weight(capability, cap_code),
                    "statements": [],
                }
                for statement in capability.get("statements") or []:
                    st_code = unique(statement.get("code"), f"{cap_code} statement")
                    cap["statements"].append(
                        {
                            "code": st_code,
                            "text": _text(statement.get("text"), st_code),
                            "reverse_scored": bool(statement.get("reverse_scored", False)),
                        }
                    )
                if not cap["statements"]:
                    raise DomainError(_("Capability %(code)s has no statements.") % {"code": cap_code})
                cat["capabilities"].append(cap)
            if not cat["capabilities"]:
                raise DomainError(_("Category %(code)s has no capabilities.") % {"code": cat_code})
            dim["categories"].append(cat)
        if not dim["categories"]:
            raise DomainError(_("Dimension %(code)s has no categories.") % {"code": dim_code})
        doc["dimensions"].append(dim)
    if kinds != {"capability", "legacy"}:
        raise DomainError(_("The questionnaire needs one capability dimension and one legacy dimension."))
    return doc


def checksum(doc: dict) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- The structure of a version: everything its scores rest on, none of its texts -----------------------
#
# A version that a round has used is locked, but a wording may still be corrected (issue 17: the answer
# scale's labels): a file whose structure is byte-for-byte the stored one's under ``structure_checksum``
# only corrects texts, and is taken (audited); any other change is refused. The structure is the codes in
# their order, each level's kind and weight, the statements' reverse scoring, the cut-offs, k, the number of
# scale points and the comparable version (maps_from). Weights and cut-offs are compared at the precision
# the database keeps them in (3 and 2 decimals).

WEIGHT_PLACES = Decimal("0.001")  # Dimension/Category/Capability.weight: decimal_places=3
CUTOFF_PLACES = Decimal("0.01")  # QuestionnaireVersion.*_cutoff: decimal_places=2


def _stored_number(value, places: Decimal) -> str:
    return str(Decimal(str(value)).quantize(places).normalize())


def structure(doc: dict) -> dict:
    """The structure of a parsed document (``parse_questionnaire``): the document without its texts."""
    return {
        "code": doc["code"],
        "maps_from": doc.get("maps_from") or None,
        "k_anonymity": doc["k_anonymity"],
        "capability_cutoff": _stored_number(doc["capability_cutoff"], CUTOFF_PLACES),
        "legacy_cutoff": _stored_number(doc["legacy_cutoff"], CUTOFF_PLACES),
        "scale_points": {lang: len(doc["scale_labels"][lang]) for lang in LANGS},
        "types": sorted(doc["types"]),
        "dimensions": [
            {
                "code": dim["code"],
                "kind": dim["kind"],
                "weight": _stored_number(dim["weight"], WEIGHT_PLACES),
                "categories": [
                    {
                        "code": cat["code"],
                        "weight": _stored_number(cat["weight"], WEIGHT_PLACES),
                        "capabilities": [
                            {
                                "code": cap["code"],
                                "weight": _stored_number(cap["weight"], WEIGHT_PLACES),
                                "statements": [
                                    {"code": st["code"], "reverse_scored": st["reverse_scored"]}
                                    for st in cap["statements"]
                                ],
                            }
                            for cap in cat["capabilities"]
                        ],
                    }
                    for cat in dim["categories"]
                ],
            }
            for dim in doc["dimensions"]
        ],
    }


def stored_structure(version: QuestionnaireVersion) -> dict:
    """The structure of a stored version, in the form of ``structure`` (five queries)."""
    categories: dict[int, list[Category]] = {}
    for category in version.categories.order_by("position", "pk"):
        categories.setdefault(category.dimension_id, []).append(category)
    capabilities: dict[int, list[Capability]] = {}
    for capability in version.capabilities.order_by("position", "pk"):
        capabilities.setdefault(capability.category_id, []).append(capability)
    statements: dict[int, list[Statement]] = {}
    for statement in version.statements.order_by("position", "pk"):
        statements.setdefault(statement.capability_id, []).append(statement)
    labels = version.scale_labels if isinstance(version.scale_labels, dict) else {}
    return {
        "code": version.code,
        "maps_from": version.maps_from.code if version.maps_from is not None else None,
        "k_anonymity": version.k_anonymity,
        "capability_cutoff": _stored_number(version.capability_cutoff, CUTOFF_PLACES),
        "legacy_cutoff": _stored_number(version.legacy_cutoff, CUTOFF_PLACES),
        "scale_points": {lang: len(labels.get(lang) or []) for lang in LANGS},
        "types": sorted(version.type_descriptions.values_list("type", flat=True)),
        "dimensions": [
            {
                "code": dim.code,
                "kind": dim.kind,
                "weight": _stored_number(dim.weight, WEIGHT_PLACES),
                "categories": [
                    {
                        "code": cat.code,
                        "weight": _stored_number(cat.weight, WEIGHT_PLACES),
                        "capabilities": [
                            {
                                "code": cap.code,
                                "weight": _stored_number(cap.weight, WEIGHT_PLACES),
                                "statements": [
                                    {"code": st.code, "reverse_scored": st.reverse_scored}
                                    for st in statements.get(cap.pk, [])
                                ],
                            }
                            for cap in capabilities.get(cat.pk, [])
                        ],
                    }
                    for cat in categories.get(dim.pk, [])
                ],
            }
            for dim in version.dimensions.order_by("position", "pk")
        ],
    }


def structure_checksum(structure_doc: dict) -> str:
    """The checksum of a structure (``structure`` or ``stored_structure``)."""
    return checksum(structure_doc)


def _levels(structure_doc: dict) -> list[tuple[str, dict]]:
    """Every dimension, category, capability and statement of a structure, in order, with its level."""
    found: list[tuple[str, dict]] = []
    for dim in structure_doc["dimensions"]:
        found.append(("dimension", dim))
        for cat in dim["categories"]:
            found.append(("category", cat))
            for cap in cat["capabilities"]:
                found.append(("capability", cap))
                found.extend(("statement", st) for st in cap["statements"])
    return found


def structure_differences(before: dict, after: dict) -> list[str]:
    """What differs between two structures, in words (for the refusal): empty when they are the same."""
    differences: list[str] = []
    old, new = _levels(before), _levels(after)
    if [(level, node["code"]) for level, node in old] != [(level, node["code"]) for level, node in new]:
        differences.append(_("the codes or their order"))
    else:
        if [node.get("kind") for _level, node in old] != [node.get("kind") for _level, node in new]:
            differences.append(_("the kind of a dimension"))
        if [node.get("weight") for _level, node in old] != [node.get("weight") for _level, node in new]:
            differences.append(_("weights"))
        if [node.get("reverse_scored") for _level, node in old] != [
            node.get("reverse_scored") for _level, node in new
        ]:
            differences.append(_("which statements are reverse scored"))
    if (before["capability_cutoff"], before["legacy_cutoff"]) != (
        after["capability_cutoff"],
        after["legacy_cutoff"],
    ):
        differences.append(_("the cut-offs"))
    if before["k_anonymity"] != after["k_anonymity"]:
        differences.append(_("k (the minimum number of responses shown)"))
    if before["scale_points"] != after["scale_points"]:
        differences.append(_("the number of scale points"))
    if before["maps_from"] != after["maps_from"]:
        differences.append(_("the comparable version (maps_from)"))
    if before["types"] != after["types"] or (not differences and before != after):
        differences.append(_("the types"))
    return differences


def read_questionnaire_file(path: Path | str) -> dict:
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DomainError(
            _("The file %(path)s cannot be read: %(error)s") % {"path": path, "error": exc}
        ) from None
    try:
        data = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
    except (ValueError, yaml.YAMLError) as exc:
        raise DomainError(
            _("The file %(path)s is not valid YAML/JSON: %(error)s") % {"path": path, "error": exc}
        ) from None
    return parse_questionnaire(data)


@transaction.atomic
def load_questionnaire(*, doc: dict, actor: ActorLike = None) -> tuple[QuestionnaireVersion, str]:
    """Create or update a questionnaire version from a parsed document. Returns the version and what
    happened: "created", "unchanged", "updated" or "corrected". A version that a round has used is
    read-only but for its texts: a document with the same structure (``structure_checksum``) corrects them
    in place ("corrected", its own audit event); any other change is refused and changes nothing. A
    created or updated version is audited (``actor`` None: the system, e.g. ``manage.py load_questionnaire``
    at deployment); Django admin shows versions read-only, so this is the one way a questionnaire changes."""
    digest = checksum(doc)
    version = QuestionnaireVersion.objects.select_for_update().filter(code=doc["code"]).first()
    if version is not None:
        if version.source_checksum == digest:
            return version, "unchanged"
        if version.is_locked:
            return _correct_texts(version, doc, digest=digest, actor=actor), "corrected"
        version.dimensions.all().delete()
        version.type_descriptions.all().delete()
        outcome = "updated"
    else:
        version = QuestionnaireVersion(code=doc["code"])
        outcome = "created"
    version.name_sv, version.name_en = doc["name"]["sv"], doc["name"]["en"]
    version.description_sv, version.description_en = doc["description"]["sv"], doc["description"]["en"]
    version.scale_labels = doc["scale_labels"]
    version.dont_know_label = doc["dont_know_label"]
    version.capability_cutoff = Decimal(doc["capability_cutoff"])
    version.legacy_cutoff = Decimal(doc["legacy_cutoff"])
    version.k_anonymity = doc["k_anonymity"]
    version.maps_from = None
    if doc.get("maps_from"):
        version.maps_from = QuestionnaireVersion.objects.filter(code=doc["maps_from"]).first()
        if version.maps_from is None:
            raise DomainError(
                _("Load the version %(code)s first: this one is declared comparable with it (maps_from).")
                % {"code": doc["maps_from"]}
            )
    version.source_checksum = digest
    version.save()
    for t, texts in doc["types"].items():
        TypeDescription.objects.create(
            version=version,
            type=t,
            title_sv=texts["title"]["sv"],
            title_en=texts["title"]["en"],
            description_sv=texts["description"]["sv"],
            description_en=texts["description"]["en"],
            recommendations_sv=texts["recommendations"]["sv"],
            recommendations_en=texts["recommendations"]["en"],
        )
    for d_pos, dim in enumerate(doc["dimensions"]):
        dimension = Dimension.objects.create(
            version=version,
            code=dim["code"],
            kind=dim["kind"],
            name_sv=dim["name"]["sv"],
            name_en=dim["name"]["en"],
            position=d_pos,
            weight=Decimal(dim["weight"]),
        )
        for c_pos, cat in enumerate(dim["categories"]):
            category = Category.objects.create(
                version=version,
                dimension=dimension,
                code=cat["code"],
                name_sv=cat["name"]["sv"],
                name_en=cat["name"]["en"],
                position=c_pos,
                weight=Decimal(cat["weight"]),
            )
            for p_pos, cap in enumerate(cat["capabilities"]):
                capability = Capability.objects.create(
                    version=version,
                    category=category,
                    code=cap["code"],
                    name_sv=cap["name"]["sv"],
                    name_en=cap["name"]["en"],
                    position=p_pos,
                    weight=Decimal(cap["weight"]),
                )
                Statement.objects.bulk_create(
                    Statement(
                        version=version,
                        capability=capability,
                        code=st["code"],
                        text_sv=st["text"]["sv"],
                        text_en=st["text"]["en"],
                        reverse_scored=st["reverse_scored"],
                        position=s_pos,
                    )
                    for s_pos, st in enumerate(cap["statements"])
                )
    record_event(
        action=AuditAction.QUESTIONNAIRE_LOADED,
        actor=actor,
        target=version.code,
        details={"outcome": outcome, "checksum": digest},
    )
    return version, outcome


def _correct_texts(
    version: QuestionnaireVersion, doc: dict, *, digest: str, actor: ActorLike
) -> QuestionnaireVersion:
    """A locked version's texts corrected in place (its rows, and so the answers and results that point at
    them, stay): refused, with nothing changed, unless the file's structure is the stored one's."""
    before, after = stored_structure(version), structure(doc)
    if structure_checksum(before) != structure_checksum(after):
        raise DomainError(
            _(
                "The questionnaire version %(code)s is used by a round: only its texts may be corrected, "
                "but the file also changes %(what)s. Nothing was changed. Give the changed questionnaire a "
                "new version code and load it as a new version."
            )
            % {"code": doc["code"], "what": ", ".join(structure_differences(before, after))}
        )
    changes: list[str] = []

    def correct(obj, field: str, texts: dict[str, str], where: str) -> bool:
        changed = False
        for lang in LANGS:
            if getattr(obj, f"{field}_{lang}") != texts[lang]:
                setattr(obj, f"{field}_{lang}", texts[lang])
                changes.append(f"{where} ({lang})")
                changed = True
        return changed

    correct(version, "name", doc["name"], "name")
    correct(version, "description", doc["description"], "description")
    for key in ("scale_labels", "dont_know_label"):
        stored = getattr(version, key) if isinstance(getattr(version, key), dict) else {}
        for lang in LANGS:
            if stored.get(lang) != doc[key][lang]:
                changes.append(f"{key} ({lang})")
        setattr(version, key, doc[key])
    previous = version.source_checksum
    version.source_checksum = digest
    version.save(
        update_fields=["name_sv", "name_en", "description_sv", "description_en", "scale_labels"]
        + ["dont_know_label", "source_checksum"]
    )
    types = {t.type: t for t in version.type_descriptions.all()}
    for t, texts in doc["types"].items():
        description = types[t]
        if any([correct(description, part, texts[part], f"type {t} {part}") for part in texts]):
            description.save()
    dimensions = {d.code: d for d in version.dimensions.all()}
    categories = {c.code: c for c in version.categories.all()}
    capabilities = {c.code: c for c in version.capabilities.all()}
    statements = {s.code: s for s in version.statements.all()}
    changed_dimensions = [
        dimensions[dim["code"]]
        for dim in doc["dimensions"]
        if correct(dimensions[dim["code"]], "name", dim["name"], dim["code"])
    ]
    changed_categories, changed_capabilities, changed_statements = [], [], []
    for dim in doc["dimensions"]:
        for cat in dim["categories"]:
            if correct(categories[cat["code"]], "name", cat["name"], cat["code"]):
                changed_categories.append(categories[cat["code"]])
            for cap in cat["capabilities"]:
                if correct(capabilities[cap["code"]], "name", cap["name"], cap["code"]):
                    changed_capabilities.append(capabilities[cap["code"]])
                for st in cap["statements"]:
                    if correct(statements[st["code"]], "text", st["text"], st["code"]):
                        changed_statements.append(statements[st["code"]])
    Dimension.objects.bulk_update(changed_dimensions, ["name_sv", "name_en"])
    Category.objects.bulk_update(changed_categories, ["name_sv", "name_en"])
    Capability.objects.bulk_update(changed_capabilities, ["name_sv", "name_en"])
    Statement.objects.bulk_update(changed_statements, ["text_sv", "text_en"])
    # This process's respondent pages read the new texts at once; other running processes keep theirs
    # until they restart (the structure they check answers against is the same).
    transaction.on_commit(forget_questionnaire_structures)
    record_event(
        action=AuditAction.QUESTIONNAIRE_TEXTS_CORRECTED,
        actor=actor,
        target=version.code,
        details={
            "outcome": "corrected",
            "changes": changes,
            "checksum": digest,
            "previous_checksum": previous,
            "structure_checksum": structure_checksum(after),
        },
    )
    return version


def load_questionnaire_file(*, path: Path | str, actor: ActorLike = None) -> tuple[QuestionnaireVersion, str]:
    return load_questionnaire(doc=read_questionnaire_file(path), actor=actor)


def ensure_default_questionnaire() -> QuestionnaireVersion:
    """The open default version, loaded from its data file when missing."""
    version = QuestionnaireVersion.objects.filter(code=DEFAULT_VERSION_CODE).first()
    if version is None:
        version, _outcome = load_questionnaire_file(path=DEFAULT_QUESTIONNAIRE)
    return version
