"""Pages: the inbox, one's channel choices; for administrators, webhooks and the delivery log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.core.errors import DomainError, NotFound
from luoshi.core.forms import apply_domain_error
from luoshi.core.paging import paginate

from . import events, selectors, services
from . import permissions as perms
from .forms import DeliveryFilterForm, PreferenceForm, WebhookForm
from .models import Notice, WebhookEndpoint


def _safe_link(request: HttpRequest, link: str) -> str | None:
    if link and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return link
    return None


# --- the inbox --------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = paginate(request, selectors.inbox(request.user, unread_only=unread_only))
    return render(
        request,
        "notify/inbox.html",
        {"page_obj": page, "unread_only": unread_only},
    )


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notice read; with `open`, go on to the page it links to."""
    notice = perms.access_notice(request.user, pk)
    services.notice_mark_read(user=request.user, notice=notice)  # type: ignore[arg-type]
    if request.POST.get("open"):
        target = _safe_link(request, notice.link)
        if target:
            return redirect(target)
    return redirect(_back(request))


@login_required
@require_POST
def notice_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notice_mark_all_read(user=request.user)  # type: ignore[arg-type]
    if count:
        messages.success(request, _("All notices are marked read."))
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    return _safe_link(request, target) or "notify:inbox"


# --- preferences ------------------------------------------------------------------------------


def _families(user: Any) -> list[tuple[str, str]]:
    codes = list(events.registered())
    seen = (
        Notice.objects.filter(recipient=user)
        .values_list("event", flat=True)
        .distinct()
        .order_by("event")[:200]
    )
    for event in seen:
        family = event.split(".", 1)[0]
        if family not in codes:
            codes.append(family)
    return [(code, events.family_label(code)) for code in codes]


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    pref = services.preference_for(user)  # type: ignore[arg-type]
    families = _families(user)
    muted = set(pref.email_muted or [])
    initial = {
        "email": pref.email,
        "email_families": [code for code, _label in families if code not in muted],
    }
    form = PreferenceForm(
        request.POST if request.method == "POST" else None, initial=initial, families=families
    )
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["email_families"])
        # families not offered on this page keep their setting
        keep = {code for code in muted if code not in {c for c, _label in families}}
        try:
            services.preference_update(
                actor=user,  # type: ignore[arg-type]
                email=form.cleaned_data["email"],
                email_muted=keep | {code for code, _label in families if code not in chosen},
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notify:preferences")
    return render(
        request,
        "notify/preferences.html",
        {"form": form, "has_email": bool(getattr(user, "email", ""))},
    )


# --- webhooks (administrators) ----------------------------------------------------------------


def _require_admin(request: HttpRequest) -> None:
    if not perms.can_manage_webhooks(request.user):
        raise NotFound()


@login_required
def webhooks(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(request, "notify/webhooks.html", {"webhooks": list(selectors.webhooks())})


@login_required
def webhook_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = WebhookForm(request.POST if request.method == "POST" else None)
    del form.fields["clear_secret"]  # nothing to stop yet
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.webhook_create(
                actor=request.user,  # type: ignore[arg-type]
                name=data["name"],
                url=data["url"],
                kind=data["kind"],
                events=data["events"],
                active=data["active"],
                org_unit=data["org_unit"],
                secret=data["secret"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The webhook was added."))
            return redirect("notify:webhooks")
    return render(request, "notify/webhook_form.html", {"form": form, "endpoint": None})


@login_required
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = perms.access_webhook(request.user, pk)
    initial = {
        "name": endpoint.name,
        "url": endpoint.url,
        "kind": endpoint.kind,
        "events": ", ".join(endpoint.events or []),
        "org_unit": endpoint.org_unit_id,
        "active": endpoint.active,
        "version": endpoint.version,
    }
    form = WebhookForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.webhook_update(
                actor=request.user,  # type: ignore[arg-type]
                endpoint=endpoint,
                version=data["version"],
                name=data["name"],
                url=data["url"],
                kind=data["kind"],
                events=data["events"],
                active=data["active"],
                org_unit=data["org_unit"],
                secret="" if data["clear_secret"] else (data["secret"] or None),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The webhook was saved."))
            return redirect("notify:webhooks")
    return render(request, "notify/webhook_form.html", {"form": form, "endpoint": endpoint})


@login_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = perms.access_webhook(request.user, pk)
    services.webhook_delete(actor=request.user, endpoint=endpoint)  # type: ignore[arg-type]
    messages.success(request, _("The webhook was deleted."))
    return redirect("notify:webhooks")


@login_required
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = perms.access_webhook(request.user, pk)
    delivery = services.webhook_test(actor=request.user, endpoint=endpoint)  # type: ignore[arg-type]
    delivery.refresh_from_db()
    if delivery.status == delivery.Status.SENT:
        messages.success(request, _("The test message was delivered."))
    elif delivery.status == delivery.Status.FAILED:
        messages.error(
            request,
            _("The test message was not delivered: %(error)s") % {"error": delivery.last_error},
        )
    else:
        messages.info(request, _("The test message is queued."))
    return redirect("notify:deliveries")


# --- the delivery log (administrators) --------------------------------------------------------


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = DeliveryFilterForm(request.GET or None)
    status = channel = ""
    if form.is_valid():
        status = form.cleaned_data["status"]
        channel = form.cleaned_data["channel"]
    endpoint_id = request.GET.get("webhook", "")
    qs = selectors.deliveries(
        status=status,
        channel=channel,
        endpoint_id=int(endpoint_id) if endpoint_id.isdigit() else None,
    )
    page = paginate(request, qs)
    return render(
        request,
        "notify/deliveries.html",
        {"page_obj": page, "form": form, "kinds": dict(WebhookEndpoint.Kind.choices)},
    )


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = perms.access_delivery(request.user, pk)
    delivery = services.delivery_retry(actor=request.user, delivery=delivery)  # type: ignore[arg-type]
    if delivery.status == delivery.Status.SENT:
        messages.success(request, _("The message was delivered."))
    else:
        messages.info(request, _("The delivery will be tried again."))
    return redirect(_safe_link(request, request.POST.get("next", "")) or "notify:deliveries")
