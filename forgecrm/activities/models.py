from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.platform.models import BusinessModel

from .attachment_storage import attachment_storage, attachment_upload_to


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    DEMO = "demo", _("Demo")
    VISIT = "visit", _("Visit")
    TASK = "task", _("Task")
    NOTE = "note", _("Note")


# Kinds that happen at a time with other people: they need a start and export to calendars.
SCHEDULED_KINDS = frozenset({ActivityKind.MEETING, ActivityKind.DEMO, ActivityKind.VISIT})
# Kinds that may stand alone as a user's own to-do or jotting, regarding nothing.
PERSONAL_KINDS = frozenset({ActivityKind.TASK, ActivityKind.NOTE})
DIRECTED_KINDS = frozenset({ActivityKind.CALL, ActivityKind.CORRESPONDENCE})

KIND_ICONS: dict[str, str] = {
    ActivityKind.CALL: "phone",
    ActivityKind.MEETING: "calendar-event",
    ActivityKind.CORRESPONDENCE: "mail",
    ActivityKind.DEMO: "presentation",
    ActivityKind.VISIT: "map-pin",
    ActivityKind.TASK: "checkbox",
    ActivityKind.NOTE: "note",
}

# The records an activity can be about: an account and/or contact through explicit FKs (the access scopes
# join through them and the timeline indexes serve them), and one record of a higher app (a sales lead or
# opportunity, later a service ticket) through the generic `regarding` link. Activities sits below those
# apps and cannot name their models, nor make its schema depend on their migrations.
REGARDING_FIELDS = ("account", "contact")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    NO_ANSWER = "no_answer", _("No answer")
    LEFT_MESSAGE = "left_message", _("Left voicemail")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class Activity(BusinessModel):
    """A call, meeting, correspondence, demo, visit, task or note, regarding an account and/or contact and/or
    one record of a higher app (`regarding`: a lead, an opportunity...)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    # Sanitised HTML (nh3) written only by operations.
    body = models.TextField(_("description"), blank=True)
    account = models.ForeignKey(
        "customers.Account",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("account"),
    )
    contact = models.ForeignKey(
        "customers.Contact",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("contact"),
    )
    # The record of a higher app the activity is about (an opportunity, a lead...); set by operations only,
    # after checking that the actor sees it. Sales logs an opportunity's activity with its account as well,
    # so the account's timeline shows it.
    regarding_type = models.ForeignKey(
        ContentType,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("regarding (type)"),
    )
    regarding_id = models.PositiveBigIntegerField(_("regarding (id)"), null=True, blank=True, editable=False)
    regarding = GenericForeignKey("regarding_type", "regarding_id")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="activities", verbose_name=_("owner")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    # The moment the activity stands for in lists and timelines: its start, else its due time, else when it
    # was logged. Never null, so lists sort and page on it by keyset.
    timeline_at = models.DateTimeField(_("date"), editable=False, db_index=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, blank=True)
    # The number dialled or that called (E.164, as contacts store it): click-to-call logs it with the call.
    phone_number = models.CharField(_("phone number"), max_length=20, blank=True)
    outcome_code = models.CharField(_("call result"), max_length=16, choices=CallOutcome.choices, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    shared_with_team = models.BooleanField(
        _("shared with my teams"),
        default=True,
        help_text=_("Members of the owner's teams see it even where the team does not share records."),
    )
    visible_to_partner = models.BooleanField(
        _("visible to the partner"),
        default=False,
        help_text=_("Headquarters notes stay internal unless this is set; the account's partner then sees it."),
    )

    history = HistoricalRecords(excluded_fields=["timeline_at"])

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["account", "-timeline_at", "-id"], name="activity_account_timeline"),
            models.Index(fields=["contact", "-timeline_at", "-id"], name="activity_contact_timeline"),
            models.Index(fields=["owner", "due_at"], name="activity_owner_due"),
            models.Index(fields=["owner", "status", "timeline_at"], name="activity_owner_status_when"),
            models.Index(
                fields=["regarding_type", "regarding_id", "-timeline_at", "-id"], name="activity_regarding_timeline"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="activity_regards_something",
                condition=(
                    models.Q(account__isnull=False)
                    | models.Q(contact__isnull=False)
                    | models.Q(regarding_type__isnull=False)
                    | models.Q(kind__in=[ActivityKind.TASK, ActivityKind.NOTE])
                ),
            ),
            models.CheckConstraint(
                name="activity_regarding_type_and_id",
                condition=models.Q(regarding_type__isnull=True, regarding_id__isnull=True)
                | models.Q(regarding_type__isnull=False, regarding_id__isnull=False),
            ),
            models.CheckConstraint(
                name="activity_ends_after_start",
                condition=models.Q(ends_at__isnull=True)
                | models.Q(starts_at__isnull=True)
                | models.Q(ends_at__gte=models.F("starts_at")),
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def icon(self) -> str:
        return KIND_ICONS.get(self.kind, "circle")

    @property
    def is_scheduled(self) -> bool:
        return self.starts_at is not None

    @property
    def is_open(self) -> bool:
        return self.status == ActivityStatus.PLANNED

    def refresh_timeline_at(self) -> None:
        from django.utils import timezone

        self.timeline_at = self.starts_at or self.due_at or self.created_at or timezone.now()

    def save(self, *args, **kwargs):
        # A derived value of this row only, kept in step on every save (operations and save_versioned alike).
        self.refresh_timeline_at()
        super().save(*args, **kwargs)


class Attachment(BusinessModel):
    """A file on an activity: stored under a random name, checked for type by extension and content."""

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="attachments", verbose_name=_("activity"))
    file = models.FileField(_("file"), upload_to=attachment_upload_to, storage=attachment_storage, max_length=255)
    # The uploader's file name, sanitised: shown and offered on download, never used as a path.
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name
