"""Quantities in words on the phone (core.display) and the phone's date picker."""

import datetime as dt

from django import forms
from django.utils import translation

from core.display import distance_text, hours_text
from core.forms import PhoneDateInput


def test_hours_in_words():
    with translation.override("zh-hans"):
        assert [hours_text(h) for h in (2, "2.0", 1.5, 0, None)] == [
            "2 小时",
            "2 小时",
            "1.5 小时",
            "0 小时",
            "0 小时",
        ]
        assert distance_text(1138) == "1.1 公里"


def test_the_phone_date_picker_gets_an_iso_date_in_any_language():
    class Form(forms.Form):
        day = forms.DateField(widget=PhoneDateInput(), initial=dt.date(2026, 12, 1))

    with translation.override("zh-hans"):
        html = str(Form()["day"])
    assert 'type="date"' in html and 'value="2026-12-01"' in html
