from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .services import password_change, token_create, token_revoke


@login_required
def me(request):
    """My account: roles and areas, password change, my API tokens (a gate phone, a script)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    new_token = None
    if request.method == "POST" and request.POST.get("action") == "password":
        if form.is_valid():
            user = password_change(form=form)
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("accounts:me")
    elif request.method == "POST" and request.POST.get("action") == "token":
        label = (request.POST.get("label") or "").strip()[:100] or _("device")
        new_token, _token = token_create(user=request.user, label=label)
        form = PasswordChangeForm(request.user)
    tokens = request.user.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at")
    return render(request, "accounts/me.html",
                  {"form": form, "tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def token_revoke_view(request, token_id: int):
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:me")
