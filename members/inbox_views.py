"""The worker's inbox on the phone (消息, issue 14 §4): /m/me/messages/ lists what
happened to their records, newest first, and marks it read; /m/me/messages/settings/
is where they choose what else comes by text message, when their district sends any."""

from django import forms
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError

from . import phone_login, selectors, services
from .models import Channel

MESSAGES_PER_PAGE = 20


@phone_login.worker_login_required
@require_GET
def message_list(request):
    """The inbox of whoever signed in on the phone: a worker's, or a donor's without a
    worker record (selectors.inbox_of)."""
    worker = phone_login.current_worker(request)
    phone = phone_login.signed_in_phone(request)
    page = Paginator(selectors.inbox_of(worker=worker, phone=phone), MESSAGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)  # rendered as unread where they were
    services.messages_mark_read(
        worker=worker, phone=phone, ids=[m.pk for m in shown if m.read_at is None]
    )
    return render(
        request,
        "mobile/messages.html",
        {
            "worker": worker,
            "page": page,
            "shown": shown,
            "offered": services.channels_offered(worker) if worker else [],
        },
    )


class ChannelChoicesForm(forms.Form):
    """One checkbox per kind of message and channel the worker may turn on."""

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = []
        for kind, channel, enabled in choices:
            name = f"{kind.code}:{channel}"
            self.fields[name] = forms.BooleanField(
                label=f"{kind.label}（{Channel(channel).label}）", required=False, initial=enabled
            )
            self.choices.append((name, kind.code, channel))


@phone_login.registered_worker_required
@require_http_methods(["GET", "POST"])
def message_settings(request, worker):
    offered = services.channels_offered(worker)
    # Every box unticked posts nothing at all: still a submitted form.
    data = request.POST if request.method == "POST" else None
    form = ChannelChoicesForm(data, choices=services.channel_choices(worker))
    if request.method == "POST" and form.is_valid():
        try:
            for name, kind, channel in form.choices:
                services.message_preference_set(
                    worker=worker, kind=kind, channel=channel, enabled=form.cleaned_data[name]
                )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            flash.success(request, _("Saved: you will be told as you chose."))
            return redirect("mobile-messages")
    return render(
        request,
        "mobile/message_settings.html",
        {"worker": worker, "form": form, "offered": offered},
    )
