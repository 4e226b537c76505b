import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_secret


def test_bool_accepts_only_clear_values(monkeypatch):
    monkeypatch.setenv("SHUANGSUIJI_X", "yes")
    assert env_bool("X") is True
    monkeypatch.setenv("SHUANGSUIJI_X", "off")
    assert env_bool("X") is False
    monkeypatch.setenv("SHUANGSUIJI_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SHUANGSUIJI_X"):
        env_bool("X")


def test_int_range_checked(monkeypatch):
    monkeypatch.setenv("SHUANGSUIJI_N", "0")
    with pytest.raises(ImproperlyConfigured, match="之间"):
        env_int("N", 5, minimum=1, maximum=10)
    monkeypatch.setenv("SHUANGSUIJI_N", "abc")
    with pytest.raises(ImproperlyConfigured, match="整数"):
        env_int("N", 5)


def test_secret_from_file(monkeypatch, tmp_path):
    f = tmp_path / "s"
    f.write_text("from-a-file\n")
    monkeypatch.setenv("SHUANGSUIJI_K_FILE", str(f))
    assert env_secret("K") == "from-a-file"
    monkeypatch.setenv("SHUANGSUIJI_K", "both")
    with pytest.raises(ImproperlyConfigured, match="只能设置一个"):
        env_secret("K")


def test_settings_refuse_a_missing_or_short_secret_key():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("SHUANGSUIJI_SECRET")}
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()"
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "SHUANGSUIJI_SECRET_KEY" in r.stderr
    r = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "SHUANGSUIJI_SECRET_KEY": "short"},
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0 and "太短" in r.stderr
