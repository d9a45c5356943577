from django.urls import path, re_path

from fhir import views

TYPE = r"(?P<type_name>[A-Za-z][A-Za-z0-9]{0,63})"
OPERATION = r"\$(?P<operation>[A-Za-z0-9\-]{1,64})"

urlpatterns = [
    path("metadata", views.MetadataView.as_view(), name="fhir-metadata"),
    re_path(rf"^{TYPE}/{OPERATION}$", views.OperationView.as_view()),
    re_path(
        rf"^{TYPE}/(?P<resource_id>[^/$][^/]*)/\$(?P<operation>[A-Za-z0-9\-]{{1,64}})$",
        views.OperationView.as_view(),
    ),
    re_path(rf"^{TYPE}$", views.TypeView.as_view(), name="fhir-type"),
    re_path(rf"^{TYPE}/(?P<resource_id>[^/]+)$", views.InstanceView.as_view(), name="fhir-instance"),
]
