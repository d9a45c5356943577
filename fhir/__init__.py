"""The FHIR R4 interface (/fhir/R4/).

`fhir.resources` (the validation library the tests use) installs into a package also named `fhir`;
extending the path lets `import fhir.resources` find it beside this app, whose own modules never use
that name (the mappers are `fhir.mappers`).
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
