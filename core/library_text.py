"""Words that Django and the libraries we use show in the admin, missing from their own
zh-hans catalogues (Django 5.2's new table headings for screen readers, django-axes'
field names). They are marked here only so that `make messages` keeps them in our
catalogue, which Django reads before the libraries' own (LOCALE_PATHS): this module is
never imported. tests/test_page_language.py finds any that are still shown in English.
"""

from django.utils.translation import gettext_noop

LIBRARY_TEXT = [
    # django.contrib.admin: the app list's headings, read out by screen readers.
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # django.contrib.auth: the page that adds an account.
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    # django-axes: its records of logins and lockouts.
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Logout Time"),
    gettext_noop("Access lock out"),
    gettext_noop("Locked Out"),
    gettext_noop("Meta Data"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Not set"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    # django-celery-beat: the forms of a schedule.
    gettext_noop("Periodic Tasks Using This Schedule"),
    gettext_noop("Task Name"),
]
