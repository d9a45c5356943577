"""ICD-10-CM codes: format, the indications for immunoglobulin offered first, and the ones not recommended."""

import re

from django.core.exceptions import ValidationError

# A letter (U is reserved), two characters, then optionally a dot and up to four more.
ICD10_CM = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")

# The indications in shared DOMAIN.md, offered first wherever a diagnosis is entered.
INDICATIONS: tuple[tuple[str, str], ...] = (
    ("G61.81", "Chronic inflammatory demyelinating polyneuritis (CIDP)"),
    ("G61.0", "Guillain-Barre syndrome"),
    ("D69.3", "Immune thrombocytopenic purpura (ITP)"),
    ("M30.3", "Mucocutaneous lymph node syndrome (Kawasaki disease)"),
    ("M33.10", "Other dermatomyositis, organ involvement unspecified"),
    ("M33.00", "Juvenile dermatomyositis, organ involvement unspecified"),
    ("M33.20", "Polymyositis, organ involvement unspecified"),
    ("M32.9", "Systemic lupus erythematosus, unspecified"),
    ("D80.0", "Hereditary hypogammaglobulinemia"),
    ("D81.9", "Combined immunodeficiency, unspecified"),
    ("D83.9", "Common variable immunodeficiency, unspecified"),
)

# Not recommended for immunoglobulin (the article): an order needs an explicit override with a reason.
NOT_RECOMMENDED: tuple[tuple[str, str], ...] = (
    ("D59.1", "Autoimmune hemolytic anemia"),
    ("D68.311", "Acquired hemophilia"),
    ("D70.8", "Other neutropenia (autoimmune neutropenia)"),
)


def normalize(code: str) -> str:
    """Upper-case, trim, and put the dot after the third character ("g6181" -> "G61.81")."""
    code = code.strip().upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def validate_icd10(code: str) -> None:
    # Accepts what normalize() turns into a code; the model's clean() stores the normalised form.
    if not ICD10_CM.match(normalize(code or "")):
        raise ValidationError(
            "%(code)s is not an ICD-10-CM code (a letter, two characters, then optionally a dot and up "
            "to four more, e.g. G61.81).",
            code="icd10_invalid",
            params={"code": code},
        )


def is_not_recommended(code: str) -> bool:
    return any(code == prefix or code.startswith(prefix) for prefix, _ in NOT_RECOMMENDED)


def describe(code: str) -> str:
    """The label of a known indication, or an empty string."""
    return dict(INDICATIONS + NOT_RECOMMENDED).get(code, "")
