from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..versioning import ConflictError


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record was changed by someone else; reload it and apply your change again."
    default_code = "stale_version"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag you read, so that a concurrent change is not overwritten."
    default_code = "if_match_required"


def exception_handler(exc, context):
    """Domain errors become API errors: a model ValidationError is a 400 with field errors, a conflict a 412."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ConflictError):
        exc = PreconditionFailed()
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or "Not allowed."}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)
