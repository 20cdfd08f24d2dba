"""The integrations' menu entry: webhooks, for administrators."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuEntry, register_menu_entry

register_menu_entry(MenuEntry(_("Webhooks"), "integrations:webhook-list", "webhook", order=90, admin_only=True))
