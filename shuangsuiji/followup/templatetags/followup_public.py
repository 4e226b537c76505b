"""Penalty results on the public result pages (R-FUP-1: penalty results are published beside the
inspection result), fetched for a whole page of results in one query."""

from django import template

from shuangsuiji.followup.selectors import published_penalties

register = template.Library()


@register.simple_tag
def penalties_for(groups) -> dict:
    """{inspection_id: [penalty, …]} for the enterprise groups of one results page."""
    ids = [i.inspection_id for e in groups for i in e.inspections]
    return published_penalties(ids) if ids else {}


@register.filter
def penalties_of(penalties: dict, inspection_id):
    return penalties.get(inspection_id, [])
