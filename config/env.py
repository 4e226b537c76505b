"""Settings from the environment, failing loudly on a bad value (STYLE.md 9).

Every variable is named SHUANGSUIJI_<NAME>; a secret may also come from the file named by
SHUANGSUIJI_<NAME>_FILE, so that it never has to stand in a process listing or the repo.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "SHUANGSUIJI_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    return os.environ.get(PREFIX + name)


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ImproperlyConfigured(f"{PREFIX}{name}={value!r}: 应为 true/false（或 1/0、yes/no、on/off）")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        n = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name}={value!r}: 应为整数") from None
    if (minimum is not None and n < minimum) or (maximum is not None and n > maximum):
        raise ImproperlyConfigured(f"{PREFIX}{name}={n}: 应在 {minimum} 到 {maximum} 之间")
    return n


def env_secret(name: str) -> str | None:
    """The value of NAME, or the stripped content of the file named by NAME_FILE."""
    value = _raw(name)
    path = _raw(name + "_FILE")
    if value is not None and path is not None:
        raise ImproperlyConfigured(f"{PREFIX}{name} 与 {PREFIX}{name}_FILE 只能设置一个")
    if path is not None:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as e:
            raise ImproperlyConfigured(f"{PREFIX}{name}_FILE={path!r}: 无法读取 ({e})") from None
    return value
