"""One way to name a tenant row (DESIGN.md, "References to tenant rows").

Every way a user can name a row — a serializer's related field, an admin form's choice or
inline, an admin list filter's options, a FilterSet choice — takes its rows from
`reachable()`, which asks the choke point (areas.access). A row out of reach and a row that
does not exist get the same answer ("does not exist", "select a valid choice"), so no
answer tells a user that another district's row exists.

The hooks live in one place each, so no serializer, form or FilterSet has to remember:
- API: ScopedViewSetMixin.get_serializer → scope_serializer_fields() (areas.api.base);
- API filters: ScopedFilterBackend (the DEFAULT_FILTER_BACKENDS);
- admin forms and inlines: ScopedAdminMixin / ScopedInlineMixin formfield hooks;
- admin list filters: ScopedAdminMixin.get_list_filter → ScopedRelatedFieldListFilter;
- admin search over personal data (a worker's name, phone, ID number, through any path):
  ScopedAdminMixin.get_search_results → personal_search_q(), the owning app's registered
  search (whole values only, unless the user may unmask there; rate-limited).
Which rows may be referenced *from an area* (the enterprises a worker of a community may
name) is a domain rule: a selector of the owning app, checked by its service.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django_filters import rest_framework as filters
from rest_framework import serializers

from core.registry import Registry

from . import access
from .models import Area, StaffGrant


def read_purpose_of(model: type[Model]) -> access.Purpose:
    """What reading the model's rows takes: READ, or PARTY for party records."""
    return getattr(model, "scope_read_purpose", access.Purpose.READ)


def write_purpose_of(model: type[Model]) -> access.Purpose:
    """What writing (or attaching something to) the model's rows takes."""
    if read_purpose_of(model) == access.Purpose.PARTY:
        return access.Purpose.PARTY_WRITE
    return access.Purpose.WRITE


def staff_reachable_by(user) -> QuerySet:
    """The staff accounts a user may name (a contact pair's staff member, an enterprise's
    party-building instructor): those with a grant inside the user's reach. System
    administrators see every account; nobody else sees a superuser or a grantless one."""
    User = get_user_model()
    reach = access.reach_of(user)
    if reach.everything:
        return User.objects.all()
    prefixes = reach.prefixes[access.Purpose.READ]
    if not prefixes:
        return User.objects.none()
    granted = access.scope(StaffGrant.objects.all(), user, access.Purpose.READ).values("user_id")
    return User.objects.filter(pk__in=granted, is_active=True, is_superuser=False)


def reachable(model: type[Model], user, purpose: access.Purpose | None = None) -> QuerySet:
    """The rows of `model` that `user` may name: tenant rows through the choke point, staff
    accounts through their grants; shared catalogues (brands, facilities) as they are."""
    if model is get_user_model():
        return staff_reachable_by(user)
    manager = model._default_manager
    if hasattr(model, "scope_area_path"):
        return access.scope(manager.all(), user, purpose or read_purpose_of(model))
    return manager.all()


def district_catalogue_seen_by(queryset: QuerySet, user) -> QuerySet:
    """Rows of a catalogue kept per district beside the platform's own (no area) — wish and
    feedback categories, holidays: the platform's, and those of the districts the user's
    grants are in or reach (a community's staff see their district's)."""
    reach = access.reach_of(user)
    if reach.everything:
        return queryset
    shown = Q(area__isnull=True)
    grants = user.grants.select_related("area") if user.is_authenticated else []
    for grant in grants:
        if grant.area.level in (Area.Level.PROVINCE, Area.Level.CITY):
            shown |= Q(area__code__startswith=grant.area.prefix)
        else:
            shown |= Q(area__code=grant.area.district_code)
    return queryset.filter(shown)


def is_tenant_or_staff(model: type[Model]) -> bool:
    return hasattr(model, "scope_area_path") or model is get_user_model()


# API ---------------------------------------------------------------------------------------


def scope_serializer_fields(serializer, user) -> None:
    """Every writable related field of the serializer (nested ones and many=True lists too)
    accepts only rows `user` may name."""
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    if not isinstance(serializer, serializers.Serializer):
        return
    instance = serializer.instance if isinstance(serializer.instance, Model) else None
    for field in serializer.fields.values():
        kept = _value_kept(instance, field)
        if isinstance(field, serializers.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, serializers.BaseSerializer):
            scope_serializer_fields(field, user)
        elif isinstance(field, serializers.RelatedField) and not field.read_only:
            model = field.queryset.model if field.queryset is not None else None
            if model is not None and is_tenant_or_staff(model):
                field.queryset = reachable(model, user)
                if kept is not None:
                    # The row the record already names, sent back unchanged (a PUT, or a
                    # keeper's PATCH naming their station's own community, which they
                    # reach only through the station): it names nothing new.
                    field.queryset = model._default_manager.filter(
                        Q(pk__in=field.queryset.values("pk")) | Q(pk=kept)
                    )


def _value_kept(instance: Model | None, field) -> object | None:
    """The primary key an existing record's plain foreign key `field` holds now, if any."""
    if instance is None or not isinstance(field, serializers.PrimaryKeyRelatedField):
        return None
    if "." in (field.source or "") or field.source == "*":
        return None
    try:
        model_field = type(instance)._meta.get_field(field.source)
    except FieldDoesNotExist:
        return None
    if not model_field.many_to_one:
        return None
    return getattr(instance, model_field.attname)


class ScopedFilterBackend(filters.DjangoFilterBackend):
    """django-filter with every model choice (`?station=<id>`) offered through the choke
    point: naming another district's row is the same 400 as naming no row."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        for name, filter_ in filterset.filters.items():
            if isinstance(filter_, filters.ModelChoiceFilter | filters.ModelMultipleChoiceFilter):
                model = getattr(filter_.queryset, "model", None)
                if model is None:  # a queryset given as a callable: the field says the model
                    path = get_fields_from_path(filterset._meta.model, filter_.field_name)
                    model = path[-1].related_model
                if is_tenant_or_staff(model):
                    scoped = reachable(model, request.user)
                    filter_.queryset = scoped
                    if name in filterset.form.fields:
                        filterset.form.fields[name].queryset = scoped
        return filterset


# Admin -------------------------------------------------------------------------------------


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A changelist's filter by a related row (brand, station, enterprise, campaign…): the
    options are the rows the user may name, never every row in the database."""

    def field_choices(self, field, request, model_admin):
        model = field.related_model
        if not is_tenant_or_staff(model):
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        rows = reachable(model, request.user)
        if ordering:
            rows = rows.order_by(*ordering)
        return [(row.pk, str(row)) for row in rows]


def scoped_list_filters(model, list_filter) -> list:
    """The admin's list_filter with every plain relation (by name or by path) filtered
    through ScopedRelatedFieldListFilter."""
    scoped = []
    for entry in list_filter:
        if isinstance(entry, str):
            field = get_fields_from_path(model, entry)[-1]
            if field.is_relation and field.related_model is not None:
                entry = (entry, ScopedRelatedFieldListFilter)
        scoped.append(entry)
    return scoped


# Search by personal data -------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalSearch:
    """How rows of a model holding personal data are found by a search box: `search(
    queryset, term, *, user)` matches whole values (a full name, phone, ID number) and part
    of one only where the user may unmask; it may refuse (ApplicationError, e.g. too many
    searches). `fields` are the model's fields it stands for."""

    model: str  # "members.Worker"
    fields: frozenset[str]
    search: Callable[..., QuerySet]


# Registered by the app owning the model (members registers its workers) in ready().
personal_searches: Registry[PersonalSearch] = Registry("personal-data search")


def register_personal_search(model: str, *, fields, search) -> None:
    personal_searches.register(
        model, PersonalSearch(model=model, fields=frozenset(fields), search=search)
    )


def split_search_fields(model: type[Model], search_fields) -> tuple[list[str], dict]:
    """An admin's search_fields, split: the plain ones (searched as the admin does), and
    by path prefix ("worker", "account__worker", "" for the model itself) the registered
    personal-data searches that stand for the others (worker__name, account__worker__phone)."""
    plain, personal = [], {}
    for entry in search_fields:
        path = entry.lstrip("^=@")
        try:
            fields = get_fields_from_path(model, path)
        except (FieldDoesNotExist, NotRelationField):
            plain.append(entry)
            continue
        owner = fields[-1].model._meta.label
        if owner in personal_searches and fields[-1].name in personal_searches.get(owner).fields:
            personal[path.rpartition("__")[0]] = personal_searches.get(owner)
        else:
            plain.append(entry)
    return plain, personal


def personal_search_q(personal: dict, term: str, user) -> Q:
    """Rows whose personal data match `term` the registered way (may raise the search's
    refusal, an ApplicationError)."""
    q = Q(pk__in=[])
    for prefix, registration in personal.items():
        model = apps.get_model(registration.model)
        found = registration.search(model._default_manager.all(), term, user=user)
        q |= Q(**{f"{prefix}__in" if prefix else "pk__in": found.values("pk")})
    return q
