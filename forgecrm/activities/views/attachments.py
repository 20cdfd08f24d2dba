"""Attachment upload, download (only through the activity's scope) and removal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms import AttachmentForm
from ..operations import add_attachment, delete_attachment
from ..queries import get_activity_for, get_attachment_for


def attachment_response(attachment) -> FileResponse:
    """The file as a download that no browser renders inline or sniffs into another type."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect("activities:detail", pk=activity.pk)
    try:
        attachment = add_attachment(actor=request.user, activity=activity, upload=form.cleaned_data["file"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Attached %(name)s.") % {"name": attachment.original_name})
    return redirect("activities:detail", pk=activity.pk)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return attachment_response(get_attachment_for(request.user, pk))


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_attachment_for(request.user, pk)
    activity_id = attachment.activity_id
    delete_attachment(actor=request.user, attachment=attachment)
    messages.success(request, _("Attachment removed."))
    return redirect("activities:detail", pk=activity_id)
