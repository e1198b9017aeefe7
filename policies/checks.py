"""System checks of the deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"


@register(Tags.caches, deploy=True)
def page_cache_is_shared(app_configs=None, **kwargs):
    """The page cache is invalidated by a version number kept in the cache: every process
    that writes (each gunicorn worker, each management command) must see the same one."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.PAGE_CACHE_SECONDS <= 0 or backend != LOCAL_MEMORY:
        return []
    return [
        Warning(
            "The public page cache is kept in each process's memory (CACHE_URL is not set).",
            hint=(
                "An edit saved by one gunicorn worker, or an import or release run from the command "
                "line, would reach anonymous visitors served by another process only after "
                f"PAGE_CACHE_SECONDS ({settings.PAGE_CACHE_SECONDS} s). Set CACHE_URL to a shared cache: "
                "file:///var/cache/tracker on one machine, redis://... or memcached://... beyond it; "
                "or PAGE_CACHE_SECONDS=0 to turn the page cache off."
            ),
            id="tracker.W001",
        )
    ]
