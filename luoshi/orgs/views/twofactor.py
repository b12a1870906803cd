"""Two-factor pages: the code step of the sign-in, the owner's two-factor page (enrolment,
recovery codes, switching off), and the security administrator's slowed-down addresses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from luoshi.core.errors import DomainError, NotFound
from luoshi.core.paging import paginate
from luoshi.documents.qr import qr_data_uri

from .. import permissions as perms
from .. import services, twofactor
from ..forms import OneTimeCodeForm, RecoveryCodeForm
from ..middleware import SESSION_PENDING, SESSION_VERIFIED
from ..models import AddressThrottle, TwoFactorDevice, User
from .orgs import complete_login

# --- the code step of the sign-in -------------------------------------------------------------


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    """The account whose password was right in this session, while its code step is open."""
    pending = request.session.get(SESSION_PENDING)
    if not isinstance(pending, dict):
        return None, ""
    age = timezone.now().timestamp() - float(pending.get("at", 0))
    if age > settings.LUOSHI_TWO_FACTOR_STEP_MINUTES * 60:
        request.session.pop(SESSION_PENDING, None)
        return None, ""
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return user, str(pending.get("next") or "/")


@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """After the right password: the code from the authenticator app, or a recovery code."""
    user, target = _pending_user(request)
    if user is None:
        messages.info(request, _("Log in again: the code step has expired."))
        return redirect("login")
    form = OneTimeCodeForm(request.POST if "code" in request.POST else None)
    recovery_form = RecoveryCodeForm(request.POST if "recovery" in request.POST else None)
    status, retry_after = 200, None
    if request.method == "POST":
        bound = form if form.is_bound else recovery_form
        if bound.is_bound and bound.is_valid():
            code = bound.cleaned_data.get("code") or bound.cleaned_data.get("recovery") or ""
            try:
                kind = twofactor.second_factor_check(user=user, code=code, sign_in=True)
            except DomainError as exc:
                bound.add_error(None, exc.message)
                status, retry_after = exc.status, exc.retry_after
                if exc.code == "account_locked":
                    request.session.pop(SESSION_PENDING, None)
            else:
                request.session.pop(SESSION_PENDING, None)
                response = complete_login(request, user, target)
                if kind == "recovery":
                    messages.warning(
                        request,
                        _(
                            "You signed in with a recovery code; %(left)d are left. If your "
                            "phone is lost, renew them on the two-factor page."
                        )
                        % {"left": twofactor.unused_recovery_codes(user)},
                    )
                return response
    response = render(
        request,
        "orgs/login_code.html",
        {"form": form, "recovery_form": recovery_form},
        status=status if status in {429, 403} else 200,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


# --- the owner's two-factor page ----------------------------------------------------------------


@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    action = request.POST.get("action") if request.method == "POST" else None
    form = OneTimeCodeForm(request.POST if action in {"confirm", "renew", "disable"} else None)
    codes: list[str] | None = None
    if action == "start":
        try:
            twofactor.enrolment_start(actor=user, user=user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("orgs:two_factor")
    if action in {"confirm", "renew", "disable"} and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if action == "confirm":
                codes = twofactor.enrolment_confirm(actor=user, user=user, code=code)
                request.session[SESSION_VERIFIED] = "ok"
                messages.success(request, _("Two-factor sign-in is set up."))
            elif action == "renew":
                codes = twofactor.recovery_codes_renew(actor=user, user=user, code=code)
                messages.success(request, _("New recovery codes were made; the old ones end."))
            else:
                twofactor.two_factor_disable(actor=user, user=user, code=code)
                messages.success(request, _("Two-factor sign-in is switched off."))
                return redirect("orgs:two_factor")
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            form = OneTimeCodeForm()
    device = TwoFactorDevice.objects.select_related("user").filter(user=user).first()
    pending = device if device is not None and device.confirmed_at is None else None
    context: dict[str, Any] = {
        "device": device,
        "enrolled": device is not None and device.confirmed_at is not None,
        "pending": pending,
        "required": twofactor.is_required(user),
        "form": form,
        "codes": codes,
        "left": twofactor.unused_recovery_codes(user) if device is not None else 0,
    }
    if pending is not None:
        uri = twofactor.provisioning_uri(pending)
        context["qr"] = qr_data_uri(uri)
        context["secret"] = twofactor.grouped_secret(pending.secret)
        context["issuer"] = settings.LUOSHI_TWO_FACTOR_ISSUER
    return render(request, "orgs/two_factor.html", context)


# --- slowed-down client addresses (the security administrator) --------------------------------


@login_required
def addresses(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_security(request.user):
        raise NotFound()
    page = paginate(request, services.slowed_addresses())
    now = timezone.now()
    for row in page.object_list:
        row.window_end = services.address_window_end(row)
        row.waiting = row.delayed_until is not None and row.delayed_until > now
    return render(
        request,
        "orgs/addresses.html",
        {
            "page_obj": page,
            "threshold": settings.LUOSHI_ADDRESS_FAILURE_THRESHOLD,
            "minutes": settings.LUOSHI_ADDRESS_FAILURE_MINUTES,
        },
    )


@login_required
@require_POST
def address_clear(request: HttpRequest, pk: int) -> HttpResponse:
    if not perms.can_manage_security(request.user):
        raise NotFound()
    row = AddressThrottle.objects.filter(pk=pk).first()
    if row is None:
        raise NotFound()
    services.address_throttle_clear(actor=request.user, row=row)
    messages.success(request, _("The address was cleared: its count starts again."))
    return redirect("orgs:addresses")
