from django.urls import path, register_converter

from selfservice.tokens import TOKEN_PATTERN
from waitlist import views


class TokenConverter:
    regex = TOKEN_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "offer_token")

app_name = "waitlist"
urlpatterns = [path("w/<offer_token:token>/", views.offer_page, name="offer")]
