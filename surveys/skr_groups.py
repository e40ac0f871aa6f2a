"""SKR's municipality groups (kommungruppsindelning 2023): nine groups in three main groups. Source: SKR,
Kommungruppsindelning 2023 (data/skr_kommungrupp_2023.csv maps all 290 municipality codes; data/README.md).
A group is kept with the version of the classification it comes from, since groups change."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

SKR_VERSION = "2023"

SKR_MAIN_GROUPS = {
    "A": _("Large cities and municipalities near large cities"),
    "B": _("Larger towns and municipalities near larger towns"),
    "C": _("Smaller towns/urban areas and rural municipalities"),
}

SKR_GROUPS = {
    "A1": _("Large cities"),
    "A2": _("Commuting municipalities near large cities"),
    "B3": _("Larger towns"),
    "B4": _("Commuting municipalities near larger towns"),
    "B5": _("Low-commuting municipalities near larger towns"),
    "C6": _("Smaller towns/urban areas"),
    "C7": _("Commuting municipalities near smaller towns"),
    "C8": _("Rural municipalities"),
    "C9": _("Rural municipalities with a visitor industry"),
}

# Lazy, like the names: a label joined at import time would be in whatever language was active then (and
# make the migrations depend on the catalogue).
SKR_GROUP_CHOICES = [(code, format_lazy("{} {}", code, name)) for code, name in SKR_GROUPS.items()]


def main_group(group: str) -> str:
    """The main group (A, B or C) of a group code ("" for none)."""
    return group[:1] if group in SKR_GROUPS else ""
