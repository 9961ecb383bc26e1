"""The Simplified Chinese catalogue: complete, faithful to its placeholders, compiled, and what the site shows.

To update it after changing a translatable string (the same options as here):
    .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests
then translate the new entries in locale/zh_Hans/LC_MESSAGES/django.po and run
    .venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv
"""

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from competitions.exceptions import RuleError
from competitions.services import teams
from tests.factories import CompetitionFactory, TeamFactory, UserFactory

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PO_PATH = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
MAKEMESSAGES_IGNORE = [".venv", "node_modules", "var", "tests"]
# What makemessages never needs to read; the rest of the project is copied to find the strings.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "var", "staticfiles", "__pycache__", ".pytest_cache", ".ruff_cache",
    "test-artifacts", "tests", "*.mo",
)  # fmt: skip

# %(name)s, %s, %d and {name}: what Python and the upload script fill in. %% is a literal percent sign.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w+\}")
HTML_TAG = re.compile(r"</?[a-z]+[^>]*>")


def _catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _live(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def _key(entry: polib.POEntry | polib.MOEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def _translations(entry: polib.POEntry | polib.MOEntry) -> list[str]:
    """The translation, or each plural form of it."""
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def _described(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r} ({where})"


# --- The catalogue file ---------------------------------------------------------------------------------------


def test_every_entry_of_the_chinese_catalogue_is_translated():
    po = _catalogue()

    untranslated = [_described(entry) for entry in po.untranslated_entries() if not entry.obsolete]

    assert untranslated == [], f"{len(untranslated)} untranslated: {untranslated}"


def test_no_entry_of_the_chinese_catalogue_is_fuzzy():
    po = _catalogue()

    fuzzy = [_described(entry) for entry in po.fuzzy_entries()]

    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy: {fuzzy}"


def test_chinese_catalogue_declares_one_plural_form():
    po = _catalogue()

    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert all(list(entry.msgstr_plural) == [0] for entry in _live(po) if entry.msgid_plural)


def test_every_translation_keeps_the_placeholders_of_its_source():
    wrong = []
    for entry in _live(_catalogue()):
        expected = Counter(PLACEHOLDER.findall(entry.msgid))
        for translated in _translations(entry):
            if Counter(PLACEHOLDER.findall(translated)) != expected:
                wrong.append(f"{_described(entry)} -> {translated!r}")

    assert wrong == [], "\n".join(wrong)


def test_every_translation_keeps_the_html_tags_of_its_source():
    wrong = []
    for entry in _live(_catalogue()):
        expected = Counter(HTML_TAG.findall(entry.msgid))
        for translated in _translations(entry):
            if Counter(HTML_TAG.findall(translated)) != expected:
                wrong.append(f"{_described(entry)} -> {translated!r}")

    assert wrong == [], "\n".join(wrong)


def test_committed_mo_file_matches_the_catalogue():
    po = _catalogue()

    compiled = {_key(entry): _translations(entry) for entry in polib.mofile(str(MO_PATH))}
    source = {_key(entry): _translations(entry) for entry in po.translated_entries() if not entry.obsolete}

    assert compiled == source, (
        "locale/zh_Hans/LC_MESSAGES/django.mo is out of date: run manage.py compilemessages -l zh_Hans"
    )


# --- The catalogue against the source --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regenerated_catalogue(tmp_path_factory) -> polib.POFile:
    """The catalogue as makemessages makes it from today's source, merged with the committed translations.

    It runs on a copy of the project, so the committed catalogue is never touched.
    """
    missing = [tool for tool in ("xgettext", "msgmerge", "msguniq") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"GNU gettext is not installed ({', '.join(missing)} missing): apt-get install gettext")
    copy = tmp_path_factory.mktemp("makemessages") / "project"
    shutil.copytree(settings.BASE_DIR, copy, ignore=NOT_COPIED)
    environment = {
        **{name: value for name, value in os.environ.items() if name != "PYTHONPATH"},
        "DJANGO_SETTINGS_MODULE": "metascene.settings.test",
        "METASCENE_VAR_DIR": str(copy / "var"),
    }
    command = [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--no-obsolete"]
    command += [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORE]
    result = subprocess.run(command, cwd=copy, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))


def test_every_translatable_string_in_the_source_is_in_the_catalogue_and_translated(regenerated_catalogue):
    missing = [
        _described(entry) for entry in _live(regenerated_catalogue) if not entry.translated() or "fuzzy" in entry.flags
    ]

    assert missing == [], (
        f"{len(missing)} strings of the source have no Chinese translation (run makemessages, then translate): "
        f"{missing}"
    )


def test_catalogue_holds_no_strings_that_the_source_no_longer_uses(regenerated_catalogue):
    in_source = {_key(entry) for entry in _live(regenerated_catalogue)}

    stale = [_described(entry) for entry in _live(_catalogue()) if _key(entry) not in in_source]

    assert stale == [], f"run makemessages to drop strings the source no longer has: {stale}"


# --- What people see ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_page_in_chinese_has_chinese_navigation(client):
    CompetitionFactory()

    content = client.get(reverse("frontend:home"), headers={"accept-language": "zh-hans"}).content.decode()

    for chinese in ("赛事", "登录", "注册", "查看详情"):
        assert chinese in content
    for english in (">Competitions<", ">Log in<", ">Sign up<", ">See details<"):
        assert english not in content


@pytest.mark.django_db
def test_competition_page_in_chinese_names_its_sections_in_chinese(client):
    competition = CompetitionFactory()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    content = client.get(reverse("frontend:competition-detail", kwargs={"slug": competition.slug})).content.decode()

    for chinese in ("提交截止时间", "赛程", "赛道", "提交要求", "登录参赛"):
        assert chinese in content
    for english in ("Submission deadline", "Timeline", "What to submit", "Log in to take part"):
        assert english not in content


@pytest.mark.django_db
def test_competition_page_in_chinese_writes_dates_the_chinese_way_with_the_zone_named(client):
    competition = CompetitionFactory(
        submission_deadline=datetime(2099, 12, 1, 15, 59, tzinfo=UTC),
        judging_starts_at=datetime(2099, 12, 2, tzinfo=UTC),
        judging_ends_at=datetime(2099, 12, 10, tzinfo=UTC),
        results_at=datetime(2099, 12, 20, tzinfo=UTC),
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    content = client.get(reverse("frontend:competition-detail", kwargs={"slug": competition.slug})).content.decode()

    assert "2099年12月1日 23:59 CST (Asia/Shanghai)" in content


@pytest.mark.django_db
def test_service_refusal_is_in_chinese_when_chinese_is_active():
    competition = CompetitionFactory(team_size_max=1)
    team = TeamFactory(competition=competition)
    newcomer = UserFactory()

    with translation.override("zh-hans"), pytest.raises(RuleError) as refusal:
        teams.team_join(user=newcomer, invite_code=team.invite_code)

    assert refusal.value.code == "team_full"
    assert refusal.value.message == "该团队已满员（最多 1 人）。"
