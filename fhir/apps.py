from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "fhir"
    verbose_name = "FHIR R4"

    def ready(self) -> None:
        # Each resource module registers its type (fhir/registry.py) when imported.
        from fhir import mappers  # noqa: F401
        from fhir.pas import claims  # noqa: F401  (Claim and ClaimResponse: prior authorization as PAS)
