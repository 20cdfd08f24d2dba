"""The ko and en catalogs are complete: every string marked in code and templates is translated in both."""

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from forgecrm.platform.i18n_catalogs import catalog_problems

BASE = Path(settings.BASE_DIR)
LANGUAGES = ["ko", "en"]


def test_catalogs_have_no_untranslated_or_fuzzy_entries_and_are_compiled():
    assert catalog_problems(BASE / "locale", LANGUAGES) == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed (CI installs it)")
def test_every_marked_string_is_in_both_catalogs(tmp_path, settings):
    """Extract afresh into a scratch copy and compare with the committed catalogs."""
    for folder in ("forgecrm", "config"):
        shutil.copytree(BASE / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    (tmp_path / "locale").mkdir()
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=LANGUAGES, verbosity=0, ignore_patterns=["tests/*"])
    finally:
        os.chdir(cwd)
    missing = []
    for language in LANGUAGES:
        committed = {
            (entry.msgctxt, entry.msgid)
            for entry in polib.pofile(str(BASE / "locale" / language / "LC_MESSAGES" / "django.po"))
            if entry.translated() and "fuzzy" not in entry.flags
        }
        fresh = polib.pofile(str(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"))
        missing += [
            f"{language}: {entry.msgid[:70]!r}" for entry in fresh if (entry.msgctxt, entry.msgid) not in committed
        ]
    assert missing == [], "run `make messages` and translate:\n" + "\n".join(missing[:50])
