"""Developer machine / `make run`.

`make run` is what a district tries first on its own server, so it runs like production:
DEBUG off (friendly error pages, no tracebacks), unless a developer asks with DJANGO_DEBUG=1.
"""

from .base import *  # noqa: F401,F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", False)
# No nginx in front: Django serves the public media folders (station photos) itself.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
