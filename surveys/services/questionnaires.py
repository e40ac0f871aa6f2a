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
    happened: "created", "unchanged" or "updated". A version that a round has used is read-only: loading
    different content for it is refused. A created or updated version is audited (``actor`` None: the
    system, e.g. ``manage.py load_questionnaire`` at deployment); Django admin shows versions read-only, so
    this is the one way a questionnaire changes."""
    digest = checksum(doc)
    version = QuestionnaireVersion.objects.select_for_update().filter(code=doc["code"]).first()
    if version is not None:
        if version.source_checksum == digest:
            return version, "unchanged"
        if version.is_locked:
            raise DomainError(
                _(
                    "The questionnaire version %(code)s is used by a round and cannot be changed. Give the "
                    "changed questionnaire a new version code and load it as a new version."
                )
                % {"code": doc["code"]}
            )
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


def load_questionnaire_file(*, path: Path | str, actor: ActorLike = None) -> tuple[QuestionnaireVersion, str]:
    return load_questionnaire(doc=read_questionnaire_file(path), actor=actor)


def ensure_default_questionnaire() -> QuestionnaireVersion:
    """The open default version, loaded from its data file when missing."""
    version = QuestionnaireVersion.objects.filter(code=DEFAULT_VERSION_CODE).first()
    if version is None:
        version, _outcome = load_questionnaire_file(path=DEFAULT_QUESTIONNAIRE)
    return version
