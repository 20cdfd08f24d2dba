from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    PARTNER = "partner", _("Partner")
    CUSTOMER = "customer", _("Customer")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    SALES_REP = "sales_rep", _("Sales rep")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    SERVICE_AGENT = "service_agent", _("Service agent")
    MARKETING = "marketing", _("Marketing")
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    PARTNER_REP = "partner_rep", _("Partner rep")
    CUSTOMER_USER = "customer_user", _("Customer portal user")


ROLE_KIND: dict[str, str] = {
    Role.PARTNER_ADMIN: UserKind.PARTNER,
    Role.PARTNER_REP: UserKind.PARTNER,
    Role.CUSTOMER_USER: UserKind.CUSTOMER,
}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]  # reverse names of customers
    """A person who signs in: internal staff, a partner's user or a customer's portal user."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=120)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.SALES_REP)
    manager = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="reports", verbose_name=_("manager")
    )
    # Materialised path of ids from the top of the role hierarchy ("/1/7/42/"): a subtree is one indexed prefix scan.
    hierarchy_path = models.CharField(max_length=255, db_index=True, default="/", editable=False)
    organization = models.ForeignKey(
        "customers.Account",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_users",
        verbose_name=_("organisation"),
        help_text=_("The partner or customer account a portal user belongs to."),
    )
    territories: "models.ManyToManyField[Territory, Any]" = models.ManyToManyField(
        "Territory", blank=True, related_name="members", verbose_name=_("territories")
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=8, default="ko", choices=[("ko", "한국어"), ("en", "English")]
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                name="portal_user_has_organization",
                condition=(
                    models.Q(role__in=["partner_admin", "partner_rep", "customer_user"], organization__isnull=False)
                    | ~models.Q(role__in=["partner_admin", "partner_rep", "customer_user"])
                ),
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def kind(self) -> str:
        return ROLE_KIND.get(self.role, UserKind.INTERNAL)

    @property
    def is_internal(self) -> bool:
        return self.kind == UserKind.INTERNAL

    @property
    def is_staff(self) -> bool:  # the Django admin is for administrators only
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)

    def has_perm(self, perm, obj=None) -> bool:
        # The administrator role is the back office's superuser: every admin-site permission.
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)

    def get_full_name(self) -> str:
        return self.full_name

    def _get_session_auth_hash(self, secret=None) -> str:
        """Sessions are bound to what decides the user's visibility, not just the password: when an admin changes
        the role, the organisation, the email or the superuser flag, every session of that user ends (Django checks
        this hash on each request) and the user signs in again under the new rights."""
        from django.utils.crypto import salted_hmac

        material = "|".join(
            [self.password, self.role, str(self.organization_id or ""), self.email, str(bool(self.is_superuser))]
        )
        return salted_hmac(
            "forgecrm.platform.User.session_auth_hash", material, secret=secret, algorithm="sha256"
        ).hexdigest()

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    lead = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="led_teams", verbose_name=_("lead")
    )
    members = models.ManyToManyField(User, blank=True, related_name="teams", verbose_name=_("members"))
    # When set, members see each other's records (Salesforce's "team sharing").
    shares_records = models.BooleanField(_("members share records"), default=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TerritoryKind(models.TextChoices):
    REGION = "region", _("Region")
    INDUSTRY = "industry", _("Industry")
    ACCOUNT_SIZE = "size", _("Account size")


class Territory(models.Model):  # type: ignore[django-manager-missing]  # reverse name of customers.Account
    """A region (시/도 → 시/군/구) or segment (industry, size) a team covers; accounts are assigned by its rule."""

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=TerritoryKind.choices, default=TerritoryKind.REGION)
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(max_length=255, db_index=True, default="/", editable=False)
    # The assignment rule: every non-empty criterion must match an account.
    sido = models.CharField(_("시/도"), max_length=32, blank=True)
    sigungu = models.CharField(_("시/군/구"), max_length=32, blank=True)
    industry = models.CharField(_("industry"), max_length=64, blank=True)
    min_employees = models.PositiveIntegerField(_("min. employees"), null=True, blank=True)
    max_employees = models.PositiveIntegerField(_("max. employees"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower wins when two rules match equally.")
    )

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        criteria = [self.sido, self.sigungu, self.industry, self.min_employees, self.max_employees]
        return sum(1 for value in criteria if value not in ("", None))
