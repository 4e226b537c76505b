from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .errors import Forbidden, NotFound
from .permissions import Action, can


def requires(action: Action):
    """A page for signed-in users whose role may do `action`: others get sign-in or 403; a
    service refusing as NotFound or Forbidden becomes 404 or 403."""

    def deco(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, action):
                raise PermissionDenied
            try:
                return view(request, *args, **kwargs)
            except NotFound as e:
                raise Http404(e.message) from None
            except Forbidden as e:
                raise PermissionDenied(e.message) from None

        return wrapper

    return deco
