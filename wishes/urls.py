from django.urls import path

from . import views

urlpatterns = [
    path("m/wishes/new/", views.wish_new, name="mobile-wish-new"),
    path("m/me/wishes/", views.my_wishes, name="mobile-my-wishes"),
    path("m/me/wishes/<int:wish_id>/withdraw/", views.wish_withdraw, name="mobile-wish-withdraw"),
]
