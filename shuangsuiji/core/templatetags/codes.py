"""Codes on a page are marked with the Chinese name of what they are (`data-code`), so that the
crawl (tests/test_crawl.py) tells a labelled code from a stray English word."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def coded(text, label: str = "编码"):
    """“SCJG-010 餐饮服务食品安全检查” (a code, a space, a name, as a snapshot keeps an item)
    → the code marked as `label`, then the name."""
    code, _, name = str(text).partition(" ")
    return format_html('<span data-code="{}">{}</span> {}', label, code, name)
