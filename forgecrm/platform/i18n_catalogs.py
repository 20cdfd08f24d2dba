"""Completeness of the translation catalogs: every msgid translated, nothing fuzzy, .mo up to date."""

from pathlib import Path

import polib


def catalog_problems(locale_dir: Path, languages: list[str]) -> list[str]:
    problems: list[str] = []
    for language in languages:
        po_path = locale_dir / language / "LC_MESSAGES" / "django.po"
        if not po_path.exists():
            problems.append(f"{po_path} is missing")
            continue
        catalog = polib.pofile(str(po_path))
        for entry in catalog:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{language}: fuzzy: {entry.msgid[:60]!r}")
            elif entry.msgid_plural and not all(entry.msgstr_plural.values()):
                problems.append(f"{language}: untranslated plural: {entry.msgid[:60]!r}")
            elif not entry.msgid_plural and not entry.msgstr:
                problems.append(f"{language}: untranslated: {entry.msgid[:60]!r}")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime - 1:
            problems.append(f"{mo_path} is missing or older than its .po (run make messages)")
    return problems
