from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse

from ..queries import contact_choices_for


@login_required
def contacts_autocomplete(request: HttpRequest) -> JsonResponse:
    """Contacts in the actor's scope for Tom Select, narrowed to one account when `account` is given."""
    contacts = contact_choices_for(
        request.user, account_id=request.GET.get("account") or None, text=request.GET.get("q", "")
    )
    results = [
        {
            "id": contact.pk,
            "text": f"{contact.full_name} · {contact.account.name}",
            "account": contact.account_id,
            "account_name": contact.account.name,
        }
        for contact in contacts
    ]
    return JsonResponse({"results": results})
