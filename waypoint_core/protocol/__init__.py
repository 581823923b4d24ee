"""The versioned sync wire format shared by the device client, the server and the USB batch file.

messages: pydantic models (enrolment, signed push batch, op results, pull page, forms, errors).
signing:  canonical JSON, domain tags, Ed25519 signing/verification, request-signature headers.
"""

from .messages import (
    MAX_OPS_PER_BATCH,
    PROTOCOL_VERSION,
    PULL_PAGE_DEFAULT,
    PULL_PAGE_MAX,
    SUPPORTED_VERSIONS,
    Change,
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    FormList,
    FormSummary,
    Op,
    OpResult,
    PublishedForm,
    PullPage,
    PushBatch,
    PushResponse,
    ServerKeys,
    form_signed_bytes,
)
from .signing import (
    DOMAIN_BATCH,
    DOMAIN_ENROL,
    DOMAIN_FORM,
    DOMAIN_REQUEST,
    DOMAIN_RESPONSE,
    HEADER_DEVICE,
    HEADER_SERVER_SIGNATURE,
    HEADER_SIGNATURE,
    HEADER_TIME,
    SigningKey,
    b64decode,
    b64encode,
    canonical_json,
    key_id,
    request_message,
    verify,
)

__all__ = [
    "MAX_OPS_PER_BATCH", "PROTOCOL_VERSION", "PULL_PAGE_DEFAULT", "PULL_PAGE_MAX", "SUPPORTED_VERSIONS",
    "Change", "EnrolRequest", "EnrolResponse", "ErrorBody", "FormList", "FormSummary", "Op", "OpResult",
    "PublishedForm", "PullPage", "PushBatch", "PushResponse", "ServerKeys", "form_signed_bytes",
    "DOMAIN_BATCH", "DOMAIN_ENROL", "DOMAIN_FORM", "DOMAIN_REQUEST", "DOMAIN_RESPONSE",
    "HEADER_DEVICE", "HEADER_SERVER_SIGNATURE", "HEADER_SIGNATURE", "HEADER_TIME",
    "SigningKey", "b64decode", "b64encode", "canonical_json", "key_id", "request_message", "verify",
]
