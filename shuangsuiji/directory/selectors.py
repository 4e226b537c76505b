"""Reads of the directories, always through the acting user's scope (STYLE.md 3):
- the office sees everything in its jurisdiction;
- a department sees the targets it supervises, its own inspectors, its own and shared tags;
- everyone who may read the directory sees the jurisdiction's item list.
Filters are defined once here and serve the HTML list, the export and the API (STYLE.md 8)."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Case, CharField, DateField, F, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.identifiers import IdentifierError, normalize_industry_code
from shuangsuiji.core.models import Department, Role
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.scope import jurisdiction, jurisdiction_prefix
from shuangsuiji.core.selectors import jurisdiction_codes

from .industrydata import check_industry_code
from .models import (
    ChangeSuggestion,
    Industry,
    Inspector,
    Item,
    ItemStatus,
    SuggestionStatus,
    Tag,
    TagLibrary,
    Target,
)
from .ownership import kept_q


def targets_for(user) -> QuerySet[Target]:
    if not can(user, Action.DIRECTORY_VIEW):
        return Target.objects.none()
    prefix = jurisdiction_prefix(user)
    qs = Target.objects.filter(region__code__startswith=prefix)
    if user.role != Role.OFFICE:
        qs = qs.filter(supervisions__department_id=user.department_id)
    return qs.annotate(**_risk_class_as_seen_by(user))


def _risk_class_as_seen_by(user) -> dict:
    """`visible_risk_class` / `visible_risk_class_set_on`: the credit-risk class for the keeper,
    the office and the auditor; NULL for every other department (ownership.py). Every list,
    page, export and API answer reads these, and the class filter tests them, so the class
    never shows and never filters for a department that does not keep the target."""
    if user.role in (Role.OFFICE, Role.AUDITOR):
        return {"visible_risk_class": F("risk_class"), "visible_risk_class_set_on": F("risk_class_set_on")}
    kept = kept_q(user.department)
    return {
        "visible_risk_class": Case(
            When(kept, then=F("risk_class")), default=Value(None), output_field=CharField()
        ),
        "visible_risk_class_set_on": Case(
            When(kept, then=F("risk_class_set_on")), default=Value(None), output_field=DateField()
        ),
    }


def keeper_candidates(user) -> QuerySet[Department]:
    """The departments the office may name as its county's 名录维护部门."""
    return Department.objects.filter(region_id=user.department.region_id, is_office=False).order_by("name")


def own_supervision(user, target: Target):
    """The user's department's supervision of `target` (with its own class), or None."""
    return target.supervisions.filter(department_id=user.department_id).first()


def target_changes(target: Target):
    """变更记录 of a target the caller has already found in its scope."""
    return target.changes.select_related("actor").order_by("-at", "-id")


def suggestions_to_decide(user) -> QuerySet[ChangeSuggestion]:
    """Pending 变更建议 the user may accept or reject: the office's jurisdiction, or the
    targets the user's department keeps."""
    qs = ChangeSuggestion.objects.filter(status=SuggestionStatus.PENDING).select_related(
        "target", "department", "proposed_by"
    )
    if user.role == Role.OFFICE:  # of its own level: a city's office never decides for a county
        return qs.filter(jurisdiction(user).at_own_level("target__region"))
    if user.role != Role.DEPT_ADMIN:
        return qs.none()
    return qs.filter(target__in=Target.objects.filter(kept_q(user.department)).values("pk"))


def suggestions_made_by(user) -> QuerySet[ChangeSuggestion]:
    """The 变更建议 the user's department made, with how each was decided."""
    if user.role != Role.DEPT_ADMIN:
        return ChangeSuggestion.objects.none()
    return ChangeSuggestion.objects.filter(department_id=user.department_id).select_related(
        "target", "decided_by"
    )


def inspectors_for(user) -> QuerySet[Inspector]:
    if not can(user, Action.DIRECTORY_VIEW):
        return Inspector.objects.none()
    if user.role == Role.OFFICE:
        return Inspector.objects.filter(department__region__code__startswith=jurisdiction_prefix(user))
    return Inspector.objects.filter(department_id=user.department_id)


def items_for(user) -> QuerySet[Item]:
    """The item lists of the user's jurisdiction and the levels above it (a county works from
    the province's and city's lists); drafts only for the office that keeps them."""
    if not can(user, Action.DIRECTORY_VIEW):
        return Item.objects.none()
    qs = Item.objects.filter(region__code__in=jurisdiction_codes(user.region))
    if user.role != Role.OFFICE:
        qs = qs.filter(status=ItemStatus.PUBLISHED)
    return qs


def usable_tags(department, library: str) -> QuerySet[Tag]:
    """Tags a department may put on its targets or inspectors (or, for the office, require of
    items): the shared tags of its jurisdiction and the levels above, and its own."""
    shared = Q(department__isnull=True, region__code__in=jurisdiction_codes(department.region))
    return Tag.objects.filter(library=library).filter(shared | Q(department=department))


def tags_for(user, library: str | None = None) -> QuerySet[Tag]:
    """Tags to browse: a department's usable tags; the office also sees its departments' own."""
    if not can(user, Action.DIRECTORY_VIEW):
        return Tag.objects.none()
    libraries = [library] if library else TagLibrary.values
    qs = Tag.objects.none()
    for lib in libraries:
        qs |= usable_tags(user.department, lib)
        if user.role == Role.OFFICE:
            qs |= Tag.objects.filter(
                library=lib, department__region__code__startswith=jurisdiction_prefix(user)
            )
    return qs


def name_contains(q: str, table: str = "directory_target") -> Q:
    """A name substring. On PostgreSQL a two-character query is `table`'s bigram column (it holds
    exactly for the names containing q: directory/bigrams.py) and a longer one is LIKE through
    pg_trgm."""
    if connection.vendor == "postgresql" and len(q) == 2:
        return Q(RawSQL(f'"{table}"."name_bigrams" @> ARRAY[%s]::text[]', [q], output_field=BooleanField()))
    return Q(name__contains=q)


def industry_for_code(value: str) -> Industry:
    """The category a typed code names, at the level given: 'C1311' or '1311' a 小类, '131' a
    中类, 'C13' or '13' a 大类, 'C' a 门类. DomainError (Chinese, field 'industry') for a code
    that is malformed, not in the table, or written with another 门类's letter."""
    try:
        code = normalize_industry_code(value)
    except IdentifierError as e:
        raise DomainError(str(e), field="industry") from None
    industry = Industry.objects.filter(code=code).first()
    try:
        check_industry_code(value, code, industry.section if industry else None)
    except ValueError as e:
        raise DomainError(str(e), field="industry") from None
    return industry


_INDUSTRY_CODE_TEXT = re.compile(r"([A-T])?(\d{1,4})?")


def industry_codes_named(text: str) -> list[str]:
    """The codes of the categories whose name holds `text`, and of every
    category below one (“餐饮” → 62 餐饮业 and 621 正餐服务, 6210 …): read from the small
    industry table, so that a target search tests its own indexed industry column against a list."""
    text = text.strip()
    if not text:
        return []
    rows = list(Industry.objects.filter(name__contains=text).values_list("code", "section"))
    if not rows:
        return []
    # a 门类 one of whose own categories also matches gives way to it: “餐饮” is 62 餐饮业 (and
    # all below), not all of H 住宿和餐饮业 with its hotels; “住宿和餐饮业” is H
    numbered = {section for code, section in rows if code.isdigit()}
    matched = [code for code, section in rows if code.isdigit() or section not in numbered]
    q = Q(section__in=[c for c in matched if c.isalpha()])
    for code in matched:
        if code.isdigit():
            q |= Q(code__startswith=code)
    return sorted(Industry.objects.filter(q).values_list("code", flat=True))


def industry_text_known(text: str) -> bool:
    """Whether the 行业 filter's `text` names some category: a code or code prefix of the table,
    or part of a category's name."""
    raw = text.strip()
    m = _INDUSTRY_CODE_TEXT.fullmatch(raw.upper())
    if raw and m:
        letter, digits = m.groups()
        qs = Industry.objects.all()
        if letter:
            qs = qs.filter(section=letter)
        if digits:
            qs = qs.filter(code__startswith=digits)
        return qs.exists()
    return Industry.objects.filter(name__contains=raw).exists()


# Up to this many targets of the tags a search names are listed by id (an indexed test the planner
# ORs with the name's); a tag on more targets is tested through its link table instead.
TAGGED_IDS_MAX = 5_000


def tagged_q(tag_ids) -> Q:
    """The targets carrying one of `tag_ids`."""
    link = Target.tags.through.objects.filter(tag_id__in=list(tag_ids))
    ids = list(link.values_list("target_id", flat=True)[: TAGGED_IDS_MAX + 1])
    if len(ids) <= TAGGED_IDS_MAX:
        return Q(pk__in=ids)
    return Q(pk__in=link.values("target_id"))


def industry_q(text: str) -> Q:
    """Targets filed under the industry `text` names, or under a category below it. `text` is a
    code at any level or a code prefix ('C1311', '1311', 'C13', '13', '6', 'C'), or part of a
    name ('餐饮', '谷物磨制'): then every category whose name holds it counts, with everything
    below it (a target of 1311 稻谷加工 is found by 谷物磨制, its 中类 131)."""
    raw = text.strip()
    m = _INDUSTRY_CODE_TEXT.fullmatch(raw.upper())
    if raw and m:
        letter, digits = m.groups()
        q = Q(industry__code__startswith=digits) if digits else Q()
        return q & Q(industry__section=letter) if letter else q
    codes = industry_codes_named(raw)
    return Q(industry_id__in=codes) if codes else Q(pk__in=[])  # a name of nothing: never everything


@dataclass
class TargetFilter:
    """The target list's filter bar, export and API query, in one place."""

    q: str = ""  # USCC / key exactly, or a name substring, an industry's name or a tag's
    region: str = ""
    kind: str = ""
    industry: str = ""
    tag: int | None = None
    risk_class: str = ""
    status: str = ""
    q_tags: tuple[int, ...] = ()  # the user's tags whose name holds q (the list form finds them)
    invalid: bool = False  # a filter with a bad value matches nothing (never everything)

    @property
    def searches_names(self) -> bool:
        """A name substring (not an 18-character code): its list counts to SEARCH_COUNT_CAP."""
        q = self.q.strip()
        return bool(q) and not (len(q) == 18 and q.isalnum())

    def apply(self, qs: QuerySet[Target]) -> QuerySet[Target]:
        if self.invalid:
            return qs.none()
        q = self.q.strip()
        if q:
            upper = q.upper()
            if len(upper) == 18 and upper.isalnum():
                qs = qs.filter(Q(uscc=upper) | Q(name__contains=q))
            else:
                match = name_contains(q)
                # OR-ed with the key, the name test is no longer a plain index condition and
                # the planner's estimates blur: the key joins only when a target has it.
                if Target.objects.filter(nonmarket_key=q).exists():
                    match |= Q(nonmarket_key=q)
                # “餐饮” also finds a 饭店 filed under 正餐服务 (餐饮业), and a tag's name its
                # targets: both resolved to lists first, each an index test beside the name's
                codes = industry_codes_named(q)
                if codes:
                    match |= Q(industry_id__in=codes)
                if self.q_tags:
                    match |= tagged_q(self.q_tags)
                qs = qs.filter(match)
        if self.region:
            qs = qs.filter(region__code__startswith=self.region)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.industry.strip():
            qs = qs.filter(industry_q(self.industry))
        if self.tag:
            qs = qs.filter(tags=self.tag)
        if self.risk_class:
            # a scoped queryset filters on the class as its user may see it (targets_for)
            seen = "visible_risk_class" in qs.query.annotations
            qs = qs.filter(**{"visible_risk_class" if seen else "risk_class": self.risk_class})
        if self.status:
            qs = qs.filter(status=self.status)
        return qs


@dataclass
class InspectorFilter:
    q: str = ""
    business_line: int | None = None
    specialty: int | None = None
    on_duty: str = ""  # "", "1", "0"
    drawable_on: str = ""  # an ISO date: only those whose 执法证 is valid then
    invalid: bool = False

    def apply(self, qs: QuerySet[Inspector]) -> QuerySet[Inspector]:
        if self.invalid:
            return qs.none()
        if self.q.strip():
            q = self.q.strip()
            qs = qs.filter(Q(name__contains=q) | Q(certificate_no=q))
        if self.business_line:
            qs = qs.filter(business_line_id=self.business_line)
        if self.specialty:
            qs = qs.filter(specialties=self.specialty)
        if self.on_duty in ("0", "1"):
            qs = qs.filter(on_duty=self.on_duty == "1")
        if self.drawable_on:
            qs = qs.filter(on_duty=True).filter(
                Q(is_expert=True) | Q(certificate_expiry__gte=self.drawable_on)
            )
        return qs


# ---- rows the user may change (core/scope.py editable_by) ------------------------------------------


def targets_editable_by(user) -> QuerySet[Target]:
    """The targets whose shared fields the user may change (ownership.py): the office's
    jurisdiction, or a department admin's kept targets among those it sees."""
    scope = jurisdiction(user)
    if scope.is_office:  # of its own level: a city's office reads its counties' targets only
        return targets_for(user).filter(scope.at_own_level("region"))
    if user.role != Role.DEPT_ADMIN:
        return Target.objects.none()
    return targets_for(user).filter(kept_q(user.department))


def inspectors_editable_by(user) -> QuerySet[Inspector]:
    """A department keeps its own inspectors (the office, those of its own department)."""
    return inspectors_for(user).filter(department_id=jurisdiction(user).department_id)


def items_editable_by(user) -> QuerySet[Item]:
    """The office keeps its own level's item list; the lists above it are read only."""
    scope = jurisdiction(user)
    if not scope.is_office:
        return Item.objects.none()
    return items_for(user).filter(region_id=user.region.code)


def tags_editable_by(user) -> QuerySet[Tag]:
    """The office keeps its level's shared tags; a department its own."""
    scope = jurisdiction(user)
    if scope.is_office:
        return tags_for(user).filter(department__isnull=True, region_id=user.region.code)
    return tags_for(user).filter(department_id=scope.department_id)


def suggestions_visible_to(user) -> QuerySet[ChangeSuggestion]:
    """变更建议 the user's department made or may decide."""
    return suggestions_to_decide(user) | suggestions_made_by(user)


def import_previews_for(user, kinds: str | tuple[str, ...]) -> QuerySet:
    """The imports of `kinds` whose preview `user` may see and decide: the jobs it sees (core's
    scope) of its own department only (an office sees its departments' jobs, not their previews)."""
    from shuangsuiji.core.selectors import jobs_for

    if user.department_id is None:
        return jobs_for(user).none()
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    return jobs_for(user).filter(kind__in=kinds, department_id=user.department_id)
