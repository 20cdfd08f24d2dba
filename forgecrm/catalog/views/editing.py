"""The shape every catalog edit page shares: scoped objects first (404), then the edit right (403),
then the form; the operation's verdicts become field errors or the conflict message."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views import View

from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.versioning import ConflictError

from ..policies import can_edit_catalog


class CatalogFormView(LoginRequiredMixin, View):
    """Subclasses load their objects in `load` (through queries, so foreign ids answer 404), build the form in
    `make_form`, call one operation in `save` and say where to go next in `success_url`."""

    template_name = "platform/form.html"
    title: Any = ""
    wide_fields: tuple[str, ...] = ()
    instance: Any = None

    def load(self, request, **kwargs) -> None:
        """Fetch the objects named in the URL; set `self.instance` for an edit."""

    def make_form(self, data=None, instance=None):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def save(self, form):  # pragma: no cover
        raise NotImplementedError

    def success_url(self, saved) -> str:  # pragma: no cover
        raise NotImplementedError

    def cancel_url(self) -> str:
        return ""

    def get_title(self):
        return self.title

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.load(request, **kwargs)
        if not can_edit_catalog(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, *, conflict: bool = False, status: int = 200):
        context = {
            "form": form,
            "title": self.get_title(),
            "conflict": conflict,
            "cancel_url": self.cancel_url(),
            "wide_fields": self.wide_fields,
            **self.extra_context(form),
        }
        return render(self.request, self.template_name, context, status=status)

    def extra_context(self, form) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        return self.render_form(self.make_form(instance=self.instance))

    def post(self, request, *args, **kwargs):
        form = self.make_form(data=request.POST, instance=self.instance)
        if form.is_valid():
            try:
                saved = self.save(form)
            except ConflictError as conflict:
                # Show what the other person saved; the user re-applies the change on top of it.
                return self.render_form(self.make_form(instance=conflict.current), conflict=True, status=409)
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                return HttpResponseRedirect(self.success_url(saved))
        return self.render_form(form)


def expected_version(form) -> int | None:
    value = form.cleaned_data.get("version")
    return int(value) if value not in (None, "") else None


def changed_fields(form, names: list[str] | tuple[str, ...] | None = None) -> dict:
    """The cleaned values of the fields the user changed (all of `names` when given)."""
    fields = names if names is not None else [name for name in form.changed_data if name != "version"]
    return {name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}
