import pytest
from django.urls import reverse

from forgecrm.platform.models import Job, Role
from forgecrm.platform.operations import finish_job, start_job, step_job
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_job_progress_is_shown_to_its_creator_only(client):
    owner, other = UserFactory(), UserFactory(role=Role.ADMIN)
    job = Job.objects.create(kind="import", created_by=owner)
    start_job(job=job, total=200)
    step_job(job=job, done=50)
    url = reverse("job-progress", args=[job.pk])

    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert b"50 / 200 (25%)" in response.content
    assert b'hx-trigger="every 1s"' in response.content

    finish_job(job=job, result={"created": 200})
    response = client.get(url)
    assert b"100%" in response.content and b"every 1s" not in response.content

    client.force_login(other)  # even an administrator: a job belongs to the person who started it
    assert client.get(url).status_code == 404
    assert client.get(reverse("job-progress", args=[job.pk + 99])).status_code == 404


def test_job_progress_needs_a_login(client):
    job = Job.objects.create(kind="import", created_by=UserFactory())
    response = client.get(reverse("job-progress", args=[job.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_failed_job_shows_its_error(client):
    owner = UserFactory()
    job = Job.objects.create(kind="import", created_by=owner)
    finish_job(job=job, error="Line 3: the business registration number is wrong.")
    client.force_login(owner)
    response = client.get(reverse("job-progress", args=[job.pk]))
    assert b"bg-danger" in response.content and b"Line 3" in response.content


def test_dashboard_and_search_pages_render(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("search"), {"q": "한빛"}).status_code == 200
    assert client.get(reverse("search-typeahead"), {"q": ""}).status_code == 200


def test_dashboard_counts_are_cached_per_user(client, settings, django_assert_max_num_queries):
    from forgecrm.platform.ui.dashboard import DashboardTile, tile_count

    calls = []
    tile = DashboardTile("probe", "Probe", lambda user: calls.append(user.pk) or len(calls), "dashboard")
    first, second = UserFactory(), UserFactory()
    assert tile_count(tile, first) == 1
    assert tile_count(tile, first) == 1  # cached: the count ran once
    assert tile_count(tile, second) == 2  # per user: never another user's number
    settings.FORGE_DASHBOARD_COUNT_SECONDS = 0
    assert tile_count(tile, first) == 3

    settings.FORGE_DASHBOARD_COUNT_SECONDS = 120
    client.force_login(first)
    client.get(reverse("dashboard"))
    # Session, user and the principal's three (for the menu); every tile count comes from the cache.
    with django_assert_max_num_queries(5):
        assert client.get(reverse("dashboard")).status_code == 200
