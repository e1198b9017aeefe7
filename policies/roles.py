"""Who may do what: the "Editors" and "Reviewers" groups and the publish permissions.

Editors create and change drafts. Reviewers also publish, retract and un-publish,
delete, and redact. The groups and a `publish_<model>` permission per publishable
model are created after every `migrate` (a post_migrate handler, connected in
`PoliciesConfig.ready`), so a fresh database has them without anyone clicking.
Running it again only adds what is missing; it never removes a permission.
"""

from django.apps import apps

EDITORS = "Editors"
REVIEWERS = "Reviewers"

# Only reviewers redact.
_NOT_FOR_EDITORS = {"redaction"}


def publishable_models():
    from .models.base import Publishable

    return [m for m in apps.get_app_config("policies").get_models() if issubclass(m, Publishable)]


def publish_codename(model):
    return f"publish_{model._meta.model_name}"


def can_publish(user, model):
    """Whether `user` may publish, retract or un-publish records of `model`."""
    return user.has_perm(f"{model._meta.app_label}.{publish_codename(model)}")


def can_publish_imports(user):
    """Whether `user` may publish what a USAspending import writes (contracts, obligations).

    The same permissions as publishing those records in the admin, so a reviewer who may
    not publish contracts cannot do it through an upload either (a group name alone said
    nothing about the permissions the group holds)."""
    from .models import Contract, Observation

    return user.is_active and all(can_publish(user, model) for model in (Contract, Observation))


def is_publishable(model):
    return model in publishable_models()


def ensure_publish_permissions():
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    perms = []
    for model in publishable_models():
        ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
        perm, _ = Permission.objects.get_or_create(
            content_type=ct,
            codename=publish_codename(model),
            defaults={"name": f"Can publish, retract or un-publish {model._meta.verbose_name}"},
        )
        perms.append(perm)
    return perms


def _model_perms(actions, exclude=()):
    from django.contrib.auth.models import Permission

    codenames = []
    for model in apps.get_app_config("policies").get_models():
        name = model._meta.model_name
        if name.startswith("historical") or name in exclude:
            continue
        codenames += [f"{action}_{name}" for action in actions(model)]
    return Permission.objects.filter(content_type__app_label="policies", codename__in=codenames)


def _editor_actions(model):
    if model._meta.model_name in _NOT_FOR_EDITORS:
        return ["view"]
    # Editors may remove a citation or a topic link, never a whole public record.
    return ["add", "change", "view"] if is_publishable(model) else ["add", "change", "delete", "view"]


def ensure_groups(**kwargs):
    """Create (or top up) the Editors and Reviewers groups. Safe to run any number of times."""
    from django.contrib.auth.models import Group

    publish = ensure_publish_permissions()
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(*_model_perms(_editor_actions))
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    reviewers.permissions.add(*_model_perms(lambda m: ["add", "change", "delete", "view"]), *publish)
    return editors, reviewers
