"""Forms of the staff pages that follow a cycle across countries: they validate what the query
string or a POST says, and nothing more (the selectors read, the services write)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import search, selectors
from .models import Country

SORT_DIRECTIONS = [("asc", _("ascending")), ("desc", _("descending"))]


class DashboardFilterForm(forms.Form):
    """The dashboard's filters and order, from the query string. Anything invalid falls back to
    the default (all countries, by name) rather than failing the page. A closed cycle has no
    overdue filter and no deadline column to sort by."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    comments = forms.BooleanField(label=_("With open comments only"), required=False)
    sort = forms.ChoiceField(
        required=False, choices=[(key, key) for key in selectors.DASHBOARD_SORTS]
    )
    dir = forms.ChoiceField(required=False, choices=SORT_DIRECTIONS)

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.fields["status"].choices = [
            ("", _("All statuses")),
            *selectors.dashboard_statuses(cycle=cycle),
        ]
        if cycle.is_closed:
            # Nothing is overdue once a cycle is closed, and nothing sorts by days left.
            del self.fields["overdue"]
            self.fields["sort"].choices = [
                (key, key) for key in selectors.DASHBOARD_SORTS if key != "deadline"
            ]

    def options(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or "",
            "overdue": bool(data.get("overdue")),
            "with_comments": bool(data.get("comments")),
            "sort": data.get("sort") or "country",
            "descending": data.get("dir") == "desc",
        }


class DateInput(forms.DateInput):
    input_type = "date"


class DeadlineExtensionForm(forms.Form):
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.none(), empty_label=_("Choose a country")
    )
    deadline = forms.DateField(label=_("New deadline"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Optional; shown to ESCWA staff on the dashboard."),
    )

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = cycle.countries.order_by("name_en")
        self.fields["country"].label_from_instance = lambda country: country.name
        self.fields["deadline"].widget.attrs["min"] = cycle.deadline.isoformat()


class AnswerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the answers"),
        max_length=search.MAX_QUERY_LENGTH,
        strip=True,
        error_messages={
            "max_length": _(
                "Your search is %(show_value)d characters long; the limit is %(limit_value)d."
            )
        },
    )
    sent = forms.BooleanField(
        label=_("Only answers sent to ESCWA (leave out drafts)"), required=False
    )


class IncludeDraftsForm(forms.Form):
    sent = forms.BooleanField(
        label=_("Only answers sent to ESCWA (leave out drafts)"), required=False
    )

    def include_drafts(self) -> bool:
        return not (self.is_valid() and self.cleaned_data.get("sent"))
