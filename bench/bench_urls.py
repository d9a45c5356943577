"""The real URLs plus `/bench/bare/`: a DRF view with no authentication, permission or query that
returns a constant. Loaded only by bench/bench_settings.py."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as real_urlpatterns


class BareView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [path("bench/bare/", BareView.as_view()), *real_urlpatterns]
