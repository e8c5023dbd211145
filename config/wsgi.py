import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()


def freeze_loaded_objects() -> None:
    """Load the URLconf (and so every view module) now, then move everything loaded so far
    out of the garbage collector's reach. Those objects live as long as the process; without
    this each full collection walks them all, a 200 ms pause in the middle of a request
    (measured by bench/)."""
    from django.conf import settings
    from django.urls import get_resolver

    get_resolver(settings.ROOT_URLCONF).url_patterns  # noqa: B018 - import every view
    gc.collect()
    gc.freeze()


freeze_loaded_objects()
