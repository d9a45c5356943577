"""The one place API views ask "may this user do this?".

Permissions come from the user's role (clinic/roles.py) as Django model permissions; reading needs the
`view_` permission too, so a user with no role (an insurer, say) gets nothing from a staff endpoint.
"""

from rest_framework.permissions import DjangoModelPermissions


class HasModelPermission(DjangoModelPermissions):
    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def _queryset(self, view):
        # Only the model matters here. A view whose get_queryset() builds an expensive annotated query
        # names its model as `permission_model`, so the check does not build that query on every call.
        model = getattr(view, "permission_model", None)
        if model is not None:
            return model._default_manager.none()
        return super()._queryset(view)
