"""The reports app's writes (reports/services.py) and how they queue work (reports/queue.py)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from reports import queue, services, tasks
from reports.models import Compilation, JobStatus

pytestmark = pytest.mark.django_db


class Spy:
    def __init__(self):
        self.queued = []

    def enqueue(self, *args):
        self.queued.append(args)


def spy_on(monkeypatch, name: str) -> list:
    spy = Spy()
    monkeypatch.setitem(queue._TASKS, name, spy)
    return spy.queued


def test_every_task_is_registered_for_the_queue():
    names = ("prepare_compilation", "render_part", "assemble_compilation", "render_public_pdf")
    registered = dict(queue._TASKS)
    assert registered == {name: getattr(tasks, name) for name in names}


def test_a_compilation_is_created_for_staff_and_system_jobs_only(cycle, reviewer, focal_point):
    with pytest.raises(PermissionDenied):
        services.compilation_create(cycle=cycle, user=focal_point)
    job = services.compilation_create(cycle=cycle, language="fr", user=reviewer)
    assert (job.status, job.language, job.requested_by) == (JobStatus.QUEUED, "fr", reviewer)
    assert services.compilation_create(cycle=cycle).requested_by is None


def test_a_request_queues_its_preparation_once_it_commits(
    cycle, reviewer, django_capture_on_commit_callbacks, monkeypatch
):
    queued = spy_on(monkeypatch, "prepare_compilation")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.compilation_request(cycle=cycle, user=reviewer)
        assert queued == []
    assert queued == [(job.pk,)]


def test_a_rolled_back_request_queues_nothing(cycle, reviewer, monkeypatch):
    queued = spy_on(monkeypatch, "prepare_compilation")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.compilation_request(cycle=cycle, user=reviewer)
        raise RuntimeError
    assert queued == []
    assert not Compilation.objects.exists()
