"""The office keeps the item list and its checklists; departments claim published items."""

import pytest
from django.urls import reverse

from shuangsuiji.directory.models import Item


def _post(c, url, **over):
    data = {
        "code": "LQ-T-001",
        "name": "食品经营许可事项的检查",
        "kind": "general",
        "competent": "市场监管部门",
        "levels": ["county"],
        "target_kinds": ["enterprise", "individual"],
        "methods": ["onsite", "document"],
        "checklist": "查验许可证\n\n检查台账记录",
        **over,
    }
    return c.post(url, data)


@pytest.mark.django_db
def test_office_creates_and_edits_an_item_with_its_checklist(client_for, world):
    c = client_for(world.office)
    r = _post(c, reverse("directory:item_create"))
    assert r.status_code == 302
    item = Item.objects.get(code="LQ-T-001")
    assert [p.text for p in item.checklist.all()] == ["查验许可证", "检查台账记录"]
    assert item.methods == ["onsite", "document"] and item.status == "draft"
    r = _post(c, reverse("directory:item_edit", args=[item.pk]), checklist="只查许可证", name="改名")
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.name == "改名" and [p.text for p in item.checklist.all()] == ["只查许可证"]


@pytest.mark.django_db
def test_offsite_item_cannot_list_onsite_method(client_for, world):
    r = _post(client_for(world.office), reverse("directory:item_create"), offsite_only="on")
    assert r.status_code == 200 and "非现场检查事项不能选择" in r.content.decode()
    assert not Item.objects.exists()


@pytest.mark.django_db
def test_department_admin_cannot_edit_items(client_for, world):
    assert _post(client_for(world.a_admin), reverse("directory:item_create")).status_code == 403
