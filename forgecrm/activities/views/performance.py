"""/activities/performance/: calls, meetings, demos and visits per person for a manager's subtree (a rep sees
themselves), over a period, as a chart with the same numbers beside it and the full table below."""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forgecrm.platform.access import principal_for
from forgecrm.platform.ui.charts import Series, category_chart

from ..forms import DateInput, style_widgets
from ..queries import PerformanceReport, performance_for, performance_people_for

PERIODS = {
    "week": gettext_lazy("This week"),
    "month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "quarter": gettext_lazy("This quarter"),
}


def period_dates(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day (inclusive) of a named period around `today`."""
    if period == "week":
        start = today - dt.timedelta(days=today.weekday())
        return start, start + dt.timedelta(days=6)
    if period == "last_month":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    if period == "quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = today.replace(month=first_month, day=1)
        following = (start + dt.timedelta(days=95)).replace(day=1)
        return start, following - dt.timedelta(days=1)
    start = today.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following - dt.timedelta(days=1)


class PerformanceFilterForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput)
    under = forms.TypedChoiceField(label=gettext_lazy("Team of"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["under"].choices = [("", _("Everyone I manage")), *((p.pk, str(p)) for p in people)]
        style_widgets(self)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end is before the start."))
        if data.get("date_from") and data.get("date_to") and (data["date_to"] - data["date_from"]).days > 366:
            self.add_error("date_to", _("Choose a period of at most a year."))
        return data


def performance_parameters(request: HttpRequest, people) -> tuple[PerformanceFilterForm, dt.date, dt.date, int | None]:
    """The period (a named one, explicit dates, else this month) and the optional subtree, from the query."""
    today = timezone.localdate()
    period = request.GET.get("period", "")
    date_from, date_to = period_dates(period if period in PERIODS else "month", today)
    form = PerformanceFilterForm(request.GET or None, people=people)
    under = None
    if form.is_bound and form.is_valid():
        if period not in PERIODS:
            date_from = form.cleaned_data.get("date_from") or date_from
            date_to = form.cleaned_data.get("date_to") or date_to
        under = form.cleaned_data.get("under")
    if not form.is_bound or not form.errors:
        form = PerformanceFilterForm(
            initial={"date_from": date_from, "date_to": date_to, "under": under}, people=people
        )
    return form, date_from, date_to, under


def performance_figure(report: PerformanceReport):
    names = [person.name for person in report.people]
    return category_chart(
        _("Completed activities by person"),
        names,
        [
            Series(_("Calls"), [p.calls_done for p in report.people], stack="done"),
            Series(_("Meetings"), [p.meetings_done for p in report.people], stack="done"),
            Series(_("Demos"), [p.demos_done for p in report.people], stack="done"),
            Series(_("Visits"), [p.visits_done for p in report.people], stack="done"),
        ],
        category_label=_("Person"),
        horizontal=True,
        height="lg" if len(names) > 8 else "md",
    )


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request.user)
    if principal.is_customer:
        raise PermissionDenied
    people = list(performance_people_for(request.user).only("pk", "full_name", "email"))
    form, date_from, date_to, under = performance_parameters(request, people)
    report = performance_for(request.user, date_from=date_from, date_to=date_to, under=under)
    context = {
        "title": _("Activity performance"),
        "form": form,
        "report": report,
        "figure": performance_figure(report) if report.people else None,
        "periods": [
            (key, label, urlencode({"period": key, **({"under": under} if under else {})}))
            for key, label in PERIODS.items()
        ],
        "current_period": request.GET.get("period", "" if request.GET.get("date_from") else "month"),
        "manages_others": len(people) > 1,
    }
    return render(request, "activities/performance.html", context)
