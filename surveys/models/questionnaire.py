"""The questionnaire versions that rounds are answered on: dimension → category → capability → statement,
with the scoring settings stored with the version. A version that a round has used is read-only; changes
make a new version. (These models lived in ``maturity`` until issue 13; they keep their ``maturity_*``
tables, see surveys/migrations/0009.)"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _in_language(obj, field: str) -> str:
    """The Swedish or English text of a bilingual field, following the active language."""
    lang = (get_language() or "sv")[:2]
    return getattr(obj, f"{field}_en" if lang == "en" else f"{field}_sv") or getattr(obj, f"{field}_sv")


class QuestionnaireVersion(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_sv = models.TextField(_("description (Swedish)"), blank=True, default="")
    description_en = models.TextField(_("description (English)"), blank=True, default="")
    # Six labels per language, index 0 = 1 (stämmer inte alls) … index 5 = 6 (stämmer helt).
    scale_labels = models.JSONField(_("scale labels"), default=dict)
    dont_know_label = models.JSONField(_("'don't know' label"), default=dict)
    capability_cutoff = models.DecimalField(
        _("capability cut-off (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    legacy_cutoff = models.DecimalField(
        _("legacy cut-off (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    k_anonymity = models.PositiveSmallIntegerField(
        _("minimum responses shown (k)"),
        default=5,
        validators=[MinValueValidator(3)],
        help_text=_("No figure is shown for fewer responses than this; never below 3."),
    )
    maps_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mapped_by",
        verbose_name=_("comparable with"),
        help_text=_(
            "An earlier version whose dimensions keep their meaning here, so that trends run across both."
        ),
    )
    source_checksum = models.CharField(
        _("checksum of the source"), max_length=64, blank=True, default="", editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        db_table = "maturity_questionnaireversion"
        ordering = ["-created_at"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.CheckConstraint(condition=models.Q(k_anonymity__gte=3), name="questionnaire_k_at_least_3"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self, "name")

    def comparable_version_ids(self) -> set[int]:
        """This version and every version linked to it through ``maps_from`` (in either direction): their
        dimension and overall percentages can stand in one trend. One query."""
        links = list(QuestionnaireVersion.objects.values_list("pk", "maps_from_id"))
        neighbours: dict[int, set[int]] = {}
        for pk, maps_from_id in links:
            if maps_from_id is not None:
                neighbours.setdefault(pk, set()).add(maps_from_id)
                neighbours.setdefault(maps_from_id, set()).add(pk)
        found, stack = {self.pk}, [self.pk]
        while stack:
            for other in neighbours.get(stack.pop(), ()):
                if other not in found:
                    found.add(other)
                    stack.append(other)
        return found

    @property
    def is_locked(self) -> bool:
        """Read-only once any round uses it."""
        return self.pk is not None and self.rounds.exists()


class Dimension(models.Model):
    class Kind(models.TextChoices):
        CAPABILITY = "capability", _("Digital capability")
        LEGACY = "legacy", _("Digital legacy")

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="dimensions", verbose_name=_("version")
    )
    code = models.CharField(_("code"), max_length=30)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=Decimal("1"))

    class Meta:
        db_table = "maturity_dimension"
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="dimension_unique_code"),
            models.UniqueConstraint(fields=["version", "kind"], name="dimension_unique_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self, "name")


class Category(models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="categories", verbose_name=_("version")
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="categories", verbose_name=_("dimension")
    )
    code = models.CharField(_("code"), max_length=30)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=Decimal("1"))

    class Meta:
        db_table = "maturity_category"
        ordering = ["dimension__position", "position"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="category_unique_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self, "name")


class CapabilityQuerySet(models.QuerySet):
    def with_labels(self) -> CapabilityQuerySet:
        """Counted with their statements, reverse scored and all, so that :attr:`Capability.label` costs no
        further query."""
        return self.annotate(
            statement_count=models.Count("statements"),
            reverse_scored_count=models.Count("statements", filter=models.Q(statements__reverse_scored=True)),
        )


def reversed_capability_label(name: str) -> str:
    """A capability measured only by reverse-scored statements, named by what a high figure means:
    "Skugg-IT" → "Lite skugg-IT" (an acronym at the start, "IT-…", keeps its capitals)."""
    lowered = name[:1].lower() + name[1:] if name[1:2].islower() else name
    return str(_("Little %(name)s") % {"name": lowered})


class Capability(models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="capabilities", verbose_name=_("version")
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="capabilities", verbose_name=_("category")
    )
    code = models.CharField(_("code"), max_length=30)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=Decimal("1"))

    objects = CapabilityQuerySet.as_manager()

    class Meta:
        db_table = "maturity_capability"
        ordering = ["category__dimension__position", "category__position", "position"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="capability_unique_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self, "name")

    @property
    def is_reversed(self) -> bool:
        """Every statement of the capability is reverse scored: a high figure means little of what the name
        says (Skugg-IT: a high figure is little shadow IT)."""
        counted = getattr(self, "statement_count", None)  # CapabilityQuerySet.with_labels
        if counted is not None:
            return bool(counted) and counted == getattr(self, "reverse_scored_count", None)
        flags = [s.reverse_scored for s in self.statements.all()]
        return bool(flags) and all(flags)

    @property
    def label(self) -> str:
        """The name shown beside the capability's figures (charts, strongest and weakest, tables): a
        reversed capability is named by what a high figure means ("Lite skugg-IT"); the questionnaire's
        own name otherwise."""
        return reversed_capability_label(self.name) if self.is_reversed else self.name


class Statement(models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="statements", verbose_name=_("version")
    )
    capability = models.ForeignKey(
        Capability, on_delete=models.CASCADE, related_name="statements", verbose_name=_("capability")
    )
    code = models.CharField(_("code"), max_length=30)
    text_sv = models.TextField(_("text (Swedish)"))
    text_en = models.TextField(_("text (English)"))
    reverse_scored = models.BooleanField(_("reverse scored"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        db_table = "maturity_statement"
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = [
            "capability__category__dimension__position",
            "capability__category__position",
            "capability__position",
            "position",
        ]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="statement_unique_code")]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return _in_language(self, "text")


class TypeDescription(models.Model):
    """The text of one maturity type (A–D) in one questionnaire version."""

    class Type(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"

    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.CASCADE,
        related_name="type_descriptions",
        verbose_name=_("version"),
    )
    type = models.CharField(_("type"), max_length=1, choices=Type.choices)
    title_sv = models.CharField(_("title (Swedish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_sv = models.TextField(_("description (Swedish)"))
    description_en = models.TextField(_("description (English)"))
    recommendations_sv = models.TextField(_("recommendations (Swedish)"))
    recommendations_en = models.TextField(_("recommendations (English)"))

    class Meta:
        db_table = "maturity_typedescription"
        verbose_name = _("type description")
        verbose_name_plural = _("type descriptions")
        ordering = ["type"]
        constraints = [models.UniqueConstraint(fields=["version", "type"], name="type_description_unique")]

    def __str__(self) -> str:
        return f"{self.version.code} {self.type}"

    @property
    def title(self) -> str:
        return _in_language(self, "title")

    @property
    def heading(self) -> str:
        """The type named once: the title alone when it names its letter ("Typ D – Digitalt mogen"),
        otherwise "Typ D: <title>"."""
        return type_heading(self.type, self.title)

    @property
    def description(self) -> str:
        return _in_language(self, "description")

    @property
    def recommendations(self) -> str:
        return _in_language(self, "recommendations")


def type_heading(type: str, title: str) -> str:
    """A maturity type's name, its letter shown once: the title alone when it already names the letter
    (the open default's "Typ A – Begränsad start"), "Typ A: <title>" when it does not, "Typ A" without one."""
    if not title:
        return str(_("Type %(type)s") % {"type": type})
    if re.search(rf"\b{re.escape(type)}\b", title):
        return title
    return str(_("Type %(type)s: %(title)s") % {"type": type, "title": title})
