"""Forms of the organiser console's competition setup: a new competition, its settings in four sections (texts,
timeline, team rules, asset rules) and its tracks. Like ``RoundForm``, they have no instance: the view passes the
current values as ``initial`` and hands the changed ones to a service (``competitions.services.competitions``),
which holds the rules. A model form runs the model's ``clean()``, so the dates out of order
(``Competition.timeline_errors``) are each marked at their field, all at once, before the service sees them."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition, Track
from competitions.models.competition import MB, AssetFormat, ValidationPolicy, validate_extension_names
from competitions.services.competitions import ASSET_RULE_FIELDS, TEAM_RULE_FIELDS, TEXT_FIELDS, TIMELINE_FIELDS
from frontend.forms import _LOCAL_DATETIME

IN_ZONE = _("In the competition's time zone.")
_TEXT_WIDGETS = {
    "summary": forms.Textarea(attrs={"rows": 2}),
    "summary_zh": forms.Textarea(attrs={"rows": 2}),
    "rules": forms.Textarea(attrs={"rows": 8}),
    "rules_zh": forms.Textarea(attrs={"rows": 8}),
}
_NAME_HELP = {
    "name": _("In English. Give the name in English, in Chinese or in both: either is enough."),
    "name_zh": _(
        "In Chinese. People reading the site in Chinese see it; the others see it when there is no English name."
    ),
}
_DATES = [name for name in TIMELINE_FIELDS if name != "time_zone"]


class _SetupForm(forms.ModelForm):
    """The model's validators and ranges without the model's uniqueness and constraints: those are the service's."""

    def validate_unique(self) -> None:
        return

    def validate_constraints(self, exclude: object = None) -> None:
        return


class CompetitionCreateForm(_SetupForm):
    """A new competition: its names and texts, its address and its timeline. The rules keep their defaults (or the
    cloned competition's) and are changed afterwards in the settings."""

    class Meta:
        model = Competition
        fields = ["name", "name_zh", "slug", "summary", "summary_zh", "rules", "rules_zh", *TIMELINE_FIELDS]
        widgets = {**_TEXT_WIDGETS, **dict.fromkeys(_DATES, _LOCAL_DATETIME)}
        help_texts = {
            **_NAME_HELP,
            **dict.fromkeys(_DATES, IN_ZONE),
            "slug": _(
                "Its address on the site: /competitions/<slug>/. Letters, digits and hyphens; it cannot change later."
            ),
        }


class CompetitionTextsForm(_SetupForm):
    class Meta:
        model = Competition
        fields = list(TEXT_FIELDS)
        widgets = _TEXT_WIDGETS
        help_texts = _NAME_HELP


class CompetitionTimelineForm(_SetupForm):
    class Meta:
        model = Competition
        fields = list(TIMELINE_FIELDS)
        widgets = dict.fromkeys(_DATES, _LOCAL_DATETIME)
        help_texts = dict.fromkeys(_DATES, IN_ZONE)


class TeamRulesForm(_SetupForm):
    class Meta:
        model = Competition
        fields = list(TEAM_RULE_FIELDS)


def _extension_names(text: str) -> list[str]:
    """glTF extension names typed one per line or separated by commas, without repeats, in the order typed."""
    names = [name for name in re.split(r"[\s,;，]+", text) if name]
    return list(dict.fromkeys(names))


class AssetRulesForm(_SetupForm):
    """Every rule the pipeline checks a file against (``limits_for``). The upload size is in megabytes here."""

    allowed_formats = forms.MultipleChoiceField(
        label=_("Accepted formats"), choices=AssetFormat.choices, widget=forms.CheckboxSelectMultiple
    )
    max_upload_mb = forms.IntegerField(label=_("Maximum upload size (MB)"), min_value=1, max_value=100_000)
    allowed_extensions = forms.CharField(
        label=_("Allowed glTF extensions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_(
            "One name per line or separated by commas, such as KHR_materials_unlit. "
            "Empty: any extension the validator knows."
        ),
    )
    validation_policy = forms.ChoiceField(
        label=_("Validation policy"), choices=ValidationPolicy.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = Competition
        fields = [
            "allowed_formats", "max_triangles", "max_texture_size", "max_materials", "max_draw_calls",
            "allowed_extensions", "validation_policy",
        ]  # fmt: skip

    field_order = ["allowed_formats", "max_upload_mb", *Meta.fields[1:]]

    @staticmethod
    def initial_for(competition: Competition) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(competition, name) for name in ASSET_RULE_FIELDS}
        initial["max_upload_mb"] = round(competition.max_upload_bytes / MB)
        initial["allowed_extensions"] = "\n".join(competition.allowed_extensions)
        return initial

    def clean_allowed_extensions(self) -> list[str]:
        names = _extension_names(self.cleaned_data["allowed_extensions"])
        validate_extension_names(names)
        return names

    def has_changed(self) -> bool:
        return bool(self.changed_data)

    @property
    def changed_data(self) -> list[str]:
        # The extensions are compared as lists: the same names typed another way are no change.
        changed = super().changed_data
        if "allowed_extensions" in changed and "allowed_extensions" in self.cleaned_data:
            before = _extension_names(str(self.initial.get("allowed_extensions", "")))
            if self.cleaned_data["allowed_extensions"] == before:
                changed = [name for name in changed if name != "allowed_extensions"]
        return changed

    def service_fields(self) -> dict[str, Any]:
        """The changed rules as the service takes them: the upload size in bytes."""
        fields = {name: self.cleaned_data[name] for name in self.changed_data if name != "max_upload_mb"}
        if "max_upload_mb" in self.changed_data:
            fields["max_upload_bytes"] = self.cleaned_data["max_upload_mb"] * MB
        return fields


class TrackForm(_SetupForm):
    class Meta:
        model = Track
        fields = ["name", "name_zh", "slug", "description", "description_zh"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_zh": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "name": _NAME_HELP["name"],
            "slug": _("Letters, digits and hyphens, unique within the competition."),
        }
