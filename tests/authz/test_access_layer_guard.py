"""Guards on the one rule that must never break: every row a user sees comes through the access layer.

1. A static check: entry points (views, API, forms, portals) never reach a scoped model's table through its
   manager (`Account.objects...`, `Account._default_manager...`); they call the app's queries, or
   `scope_for` / `get_for_or_404`. `Model.objects.none()` is allowed (it shows nothing). A line that must read
   a scoped table for another reason (resolving a feed token to its user, say) says so with
   `# access-layer: exempt (<reason>)`.
2. A runtime check over the URLconf: every API view that serves model rows takes them from the access layer
   (`ScopedViewSetMixin`) with a model that has a registered scope, and no generic HTML view is given a
   `model`/`queryset` without replacing Django's unscoped lookup.
"""

import ast
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.generics import GenericAPIView

from forgecrm.platform.access import registered_models
from forgecrm.platform.api.viewsets import ScopedViewSetMixin

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "forgecrm"
MANAGERS = {"objects", "_default_manager", "_base_manager"}
EXEMPT = re.compile(r"#\s*access-layer:\s*exempt\s*\(.{8,}\)")


def _entry_point_files() -> list[Path]:
    files = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts:
            continue
        names = [Path(part).stem for part in parts]
        if (
            "portals" in names
            or any(name.startswith("views") for name in names)
            or any(name in {"rest", "forms"} for name in names)
        ):
            files.append(path)
    return files


def _scoped_names() -> set[str]:
    return {model.__name__ for model in registered_models()}


def _violations(source: str, scoped: set[str]) -> list[tuple[int, str]]:
    """(line, code) for each `<Scoped>.objects` / `<module>.<Scoped>.objects` not followed by `.none()`."""
    tree = ast.parse(source)
    lines = source.splitlines()
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in MANAGERS):
            continue
        base = node.value
        name = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else None
        if name not in scoped:
            continue
        parent = parents.get(node)
        grandparent = parents.get(parent) if parent is not None else None
        if isinstance(parent, ast.Attribute) and parent.attr == "none" and isinstance(grandparent, ast.Call):
            continue
        line = lines[node.lineno - 1]
        if EXEMPT.search(line):
            continue
        found.append((node.lineno, line.strip()))
    return found


def test_the_guard_sees_entry_points_and_scoped_models():
    files = {path.relative_to(ROOT).as_posix() for path in _entry_point_files()}
    assert "forgecrm/platform/views.py" in files and "forgecrm/platform/rest.py" in files
    assert {"User", "Team", "Job"} <= _scoped_names()


def test_the_static_check_catches_raw_managers():
    scoped = {"Account", "Contact"}
    source = (
        "from . import models\n"
        "a = Account.objects.filter(pk=1)\n"
        "b = models.Contact._default_manager.all()\n"
        "c = Account.objects.none()\n"
        "d = Product.objects.all()\n"
        "e = Account.objects.get(pk=1)  # access-layer: exempt (resolves a signed feed token)\n"
        "f = Account.objects.all()  # access-layer: exempt\n"
    )
    assert [line for line, _ in _violations(source, scoped)] == [2, 3, 7]


def test_entry_points_never_use_a_scoped_models_manager():
    scoped = _scoped_names()
    problems = []
    for path in _entry_point_files():
        for line, code in _violations(path.read_text(encoding="utf-8"), scoped):
            problems.append(f"{path.relative_to(ROOT)}:{line}: {code}")
    assert problems == [], "use the app's queries (scope_for / get_for_or_404):\n" + "\n".join(problems)


def _views(patterns=None):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry


# Views that serve no model rows of their own.
NOT_ROW_VIEWS = {
    "ObtainTokenView",
    "RevokeTokenView",
    "APIRootView",
    "SpectacularAPIView",
    "SpectacularSwaggerView",
    "SpectacularSwaggerSplitView",
}


def _api_view_classes() -> set[type]:
    classes = set()
    for pattern in _views():
        cls = getattr(pattern.callback, "cls", None)
        if cls is not None and cls.__name__ not in NOT_ROW_VIEWS:
            classes.add(cls)
    return classes


def test_the_api_has_views_to_check():
    names = {cls.__name__ for cls in _api_view_classes()}
    assert {"UserViewSet", "TeamViewSet"} <= names


@pytest.mark.parametrize("cls", sorted(_api_view_classes(), key=lambda cls: cls.__name__), ids=lambda cls: cls.__name__)
def test_every_api_view_takes_its_rows_from_the_access_layer(cls):
    assert issubclass(cls, ScopedViewSetMixin), (
        f"{cls.__name__} must derive from ScopedModelViewSet/ScopedReadOnlyViewSet"
    )
    assert issubclass(cls, GenericAPIView)
    model = cls.scoped_model
    assert model in registered_models(), f"{model.__name__} (served by {cls.__name__}) has no registered scope"
    # A `queryset` attribute would be used by DRF's own helpers: it must not be the model's full table.
    queryset = cls.__dict__.get("queryset")
    assert queryset is None, f"{cls.__name__} sets `queryset`; use scoped_model and get_queryset"


def test_generic_html_views_do_not_look_rows_up_unscoped():
    problems = []
    for pattern in _views():
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is None or getattr(pattern.callback, "cls", None) is not None:
            continue
        model = getattr(view_class, "model", None)
        queryset = getattr(view_class, "queryset", None)
        if model is None and queryset is None:
            continue
        # Django's SingleObjectMixin/MultipleObjectMixin read `model._default_manager`: the view must replace
        # that lookup (get_queryset or get_object) in its own code.
        own = [
            klass
            for klass in view_class.__mro__
            if klass.__module__.startswith("forgecrm.") and ({"get_queryset", "get_object"} & set(vars(klass)))
        ]
        if not own:
            problems.append(f"{view_class.__module__}.{view_class.__name__}")
        if model is not None and model not in registered_models() and model.__module__.startswith("forgecrm."):
            problems.append(f"{view_class.__name__}: {model.__name__} has no scope")
    assert problems == []


def test_every_domain_model_served_to_users_has_a_scope():
    served = {cls.scoped_model for cls in _api_view_classes()}
    for pattern in _views():
        view_class = getattr(pattern.callback, "view_class", None)
        model = getattr(view_class, "model", None) if view_class else None
        if model is not None:
            served.add(model)
    missing = sorted(
        m.__name__ for m in served if m.__module__.startswith("forgecrm.") and m not in registered_models()
    )
    assert missing == []
