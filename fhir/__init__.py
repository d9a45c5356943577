# The app shares its top-level name with the `fhir.resources` library (its R4B models validate what
# /fhir/ reads and writes): extend the package path so both import as `fhir.*`.
__path__ = __import__("pkgutil").extend_path(__path__, __name__)
