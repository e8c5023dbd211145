"""Links and QR codes of invitations: one place for the URL a letter or text message
carries, so the admin's cards, the exports and the API print the same thing."""

import segno
from django.urls import reverse


def invitation_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("mobile-invitation", args=[code]))


def invitation_qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#111")
