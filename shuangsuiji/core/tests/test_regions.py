import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from shuangsuiji.core.models import AuditEntry, Region


@pytest.mark.django_db
def test_shipped_hebei_tables_keep_retired_codes():
    call_command("load_regions", verbosity=0)
    luquan = Region.objects.get(code="130110")
    assert luquan.name == "鹿泉区" and luquan.level == "county" and luquan.parent_id == "130100"
    old = Region.objects.get(code="130185")
    assert old.name == "鹿泉市" and old.retired_on == dt.date(2014, 12, 31)
    town = Region.objects.get(code="130110100")
    assert town.level == "township" and town.parent_id == "130110"
    assert Region.objects.filter(code__startswith="13", level="city").count() >= 11
    # Loading again changes nothing
    call_command("load_regions", verbosity=0)
    assert AuditEntry.objects.filter(action="region.load").count() == 4


@pytest.mark.django_db
def test_official_table_in_gbk_csv(tmp_path):
    call_command("load_regions", verbosity=0)
    f = tmp_path / "新区划.csv"
    f.write_bytes("行政区划代码,单位名称\n130110203,测试乡\n".encode("gbk"))
    call_command("load_regions", str(f), verbosity=0)
    assert Region.objects.get(code="130110203").parent_id == "130110"


@pytest.mark.django_db
def test_bad_table_changes_nothing(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("行政区划代码,单位名称\n130000,河北省\n13011,缺一位\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("load_regions", str(f), verbosity=0)
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_table_without_the_right_header(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("a,b\n130000,河北省\n", encoding="utf-8")
    with pytest.raises(CommandError, match="表头"):
        call_command("load_regions", str(f), verbosity=0)


@pytest.mark.django_db
def test_from_stdnum_all_provinces():
    call_command("load_regions", stdnum="13", verbosity=0)
    assert Region.objects.filter(code="130110").exists()
