"""The task categories' API (plans/api/categories.py): an agency's list for those who may read
it, and changes by that agency's office only — anyone else gets 404, as for a missing one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import Org
from luoshi.orgs import services as org_services
from luoshi.plans.models import Category, WorkPlan
from luoshi.plans.services.categories import category_create, task_classify

from .test_categories_services import office_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/task-categories"


def _api(org: Org, token_for: Any, persona: str) -> Client:
    return Client(**token_for(persona), HTTP_ACCEPT_LANGUAGE="en")


def test_the_office_keeps_its_agency_s_list(org: Org, token_for: Any) -> None:
    api = _api(org, token_for, "supervisor")
    response = api.post(URL, {"name": " 重点 改革 "}, content_type="application/json")
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "重点 改革" and created["agency"] == org.agency.pk
    assert created["is_active"] is True and created["task_count"] == 0
    pk = created["id"]
    response = api.post(URL, {"name": "重点改革"}, content_type="application/json")
    assert response.status_code == 201
    response = api.post(URL, {"name": "重点 改革"}, content_type="application/json")
    assert response.status_code == 422 and "already exists" in str(response.json()["details"])

    response = api.patch(
        f"{URL}/{pk}", {"name": "为民办实事", "version": 1}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["name"] == "为民办实事"
    stale = {"name": "x", "version": 1}
    response = api.patch(f"{URL}/{pk}", stale, content_type="application/json")
    assert response.status_code == 409
    response = api.post(f"{URL}/{pk}/deactivate", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert [c["name"] for c in api.get(URL).json()] == ["重点改革"]
    listed = api.get(URL, {"include_inactive": "true"}).json()
    assert [c["name"] for c in listed] == ["为民办实事", "重点改革"]
    response = api.post(f"{URL}/{pk}/reactivate", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["is_active"] is True
    assert api.delete(f"{URL}/{pk}").status_code == 204
    assert not Category.objects.filter(pk=pk).exists()


def test_a_category_in_use_is_deactivated_not_deleted(
    org: Org, plan: WorkPlan, token_for: Any
) -> None:
    cat = category_create(actor=None, agency=org.agency, name="重点改革")
    task = plan.tasks.get(code="2026-2-0-1")
    task_classify(actor=None, task=task, categories=[cat])
    api = _api(org, token_for, "supervisor")
    response = api.delete(f"{URL}/{cat.pk}")
    assert response.status_code == 422 and response.json()["code"] == "category_in_use"
    assert api.get(URL).json()[0]["task_count"] == 1
    response = api.post(
        f"{URL}/{cat.pk}/deactivate", {"version": cat.version}, content_type="application/json"
    )
    assert response.status_code == 200
    assert list(task.categories.all()) == [cat]


def test_other_agencies_get_404(org: Org, token_for: Any) -> None:
    provincial = category_create(actor=None, agency=org.agency, name="省级")
    city_cat = category_create(actor=None, agency=org.city, name="市级")
    national = org_services.org_unit_create(
        actor=None, name="另一机关", code="OTHER", kind="agency", level="national"
    )
    _token, raw = org_services.api_token_create(
        actor=None, user=office_of(org.city, "city_office"), name="t"
    )
    city = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")

    # The city office reads and changes its own list, never the province's above it.
    assert [c["name"] for c in city.get(URL).json()] == ["市级"]
    assert city.get(URL, {"agency": org.agency.pk}).status_code == 404
    for method, path in (
        ("patch", f"{URL}/{provincial.pk}"),
        ("post", f"{URL}/{provincial.pk}/deactivate"),
        ("post", f"{URL}/{provincial.pk}/reactivate"),
        ("delete", f"{URL}/{provincial.pk}"),
    ):
        response = getattr(city, method)(path, {"name": "改"}, content_type="application/json")
        assert response.status_code == 404, (method, path)
    response = city.post(
        URL, {"name": "越权", "agency": org.agency.pk}, content_type="application/json"
    )
    assert response.status_code == 404
    assert Category.objects.filter(agency=org.agency).count() == 1

    # The provincial office reads the city's list (its scope covers it) but does not change it.
    sup = _api(org, token_for, "supervisor")
    assert [c["name"] for c in sup.get(URL, {"agency": org.city.pk}).json()] == ["市级"]
    assert sup.delete(f"{URL}/{city_cat.pk}").status_code == 404
    assert sup.get(URL, {"agency": national.pk}).status_code == 404
    assert sup.get(URL, {"agency": org.office.pk}).status_code == 404  # not an agency
    # Staff read their agency's list; only the office changes it.
    staff = _api(org, token_for, "staff")
    assert [c["name"] for c in staff.get(URL).json()] == ["省级"]
    assert staff.post(URL, {"name": "x"}, content_type="application/json").status_code == 404
    assert staff.delete(f"{URL}/{provincial.pk}").status_code == 404
