"""The Da Vinci Prior Authorization Support (PAS 2.2.1) URLs and code systems this service reads and writes.

Taken from the guide's own examples (`tests/fixtures/fhir/davinci-pas/`): the review action is an
extension on `ClaimResponse.item.adjudication`, its code from X12 306 (A1 certified in total, A2
certified in part, A3 not certified, A4 pended, A6 modified), its reason from X12 886.
"""

from fhir.mappers.common import HCPCS, ICD10CM  # noqa: F401  (the codes of a PAS Claim, with those below)

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"

PROFILE_REQUEST_BUNDLE = PAS + "profile-pas-request-bundle"
PROFILE_RESPONSE_BUNDLE = PAS + "profile-pas-response-bundle"
PROFILE_CLAIM = PAS + "profile-claim"
PROFILE_CLAIM_RESPONSE = PAS + "profile-claimresponse"
PROFILE_COVERAGE = PAS + "profile-coverage"
PROFILE_SUBSCRIBER = PAS + "profile-subscriber"
PROFILE_INSURER = PAS + "profile-insurer"
PROFILE_REQUESTOR = PAS + "profile-requestor"
PROFILE_MEDICATION_REQUEST = PAS + "profile-medicationrequest"

EXT_REVIEW_ACTION = PAS + "extension-reviewAction"
EXT_REVIEW_ACTION_CODE = PAS + "extension-reviewActionCode"
EXT_PREAUTH_PERIOD = PAS + "extension-itemPreAuthPeriod"
EXT_PREAUTH_ISSUE_DATE = PAS + "extension-itemPreAuthIssueDate"
EXT_AUTHORIZED_DETAIL = PAS + "extension-itemAuthorizedDetail"
EXT_REQUESTED_SERVICE = PAS + "extension-requestedService"
EXT_SERVICE_ITEM_REQUEST_TYPE = PAS + "extension-serviceItemRequestType"
EXT_CERTIFICATION_TYPE = PAS + "extension-certificationType"
EXT_LEVEL_OF_SERVICE = PAS + "extension-levelOfServiceCode"
EXT_ADMINISTRATION_REFERENCE = PAS + "extension-administrationReferenceNumber"
EXT_AUTHORIZATION_NUMBER = PAS + "extension-authorizationNumber"

X12_REVIEW_ACTION = "https://codesystem.x12.org/005010/306"
X12_REVIEW_REASON = "https://codesystem.x12.org/external/886"
X12_SERVICE_TYPE = "https://codesystem.x12.org/005010/1365"
X12_REQUEST_TYPE = "https://codesystem.x12.org/005010/1525"
X12_CERTIFICATION_TYPE = "https://codesystem.x12.org/005010/1322"
X12_LEVEL_OF_SERVICE = "https://codesystem.x12.org/005010/1338"
X12_ENTITY_TYPE = "https://codesystem.x12.org/005010/98"

CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"

# X12 306 review action -> the clinic's decision (`insurance.services.DECISIONS`).
REVIEW_ACTIONS = {
    "A1": ("approved", "Certified in total"),
    "A2": ("partially_approved", "Certified - partial"),
    "A3": ("denied", "Not Certified"),
    "A4": ("pended", "Pended"),
    "A6": ("partially_approved", "Modified"),
}
# The clinic's status -> the review action its ClaimResponse shows.
STATUS_REVIEW_ACTION = {
    "approved": "A1",
    "partially_approved": "A2",
    "denied": "A3",
    "pended": "A4",
}
