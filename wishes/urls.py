from django.urls import path

from . import views

urlpatterns = [
    path("m/wishes/", views.wall, name="mobile-wishes"),
    path("m/wishes/new/", views.wish_new, name="mobile-wish-new"),
    path("m/wishes/stories/", views.stories, name="mobile-wish-stories"),
    path("m/wishes/stories/<int:story_id>/", views.story_page, name="mobile-wish-story"),
    path("m/wishes/<int:wish_id>/", views.wish_page, name="mobile-wish"),
    path("m/donor/", views.donor_profile, name="mobile-donor"),
    path("m/donor/delete/", views.donor_delete, name="mobile-donor-delete"),
    path("m/me/wishes/", views.my_wishes, name="mobile-my-wishes"),
    path("m/me/wishes/<int:wish_id>/", views.my_wish, name="mobile-my-wish"),
    path("m/me/wishes/<int:wish_id>/withdraw/", views.wish_withdraw, name="mobile-wish-withdraw"),
    path("m/me/claims/", views.my_claims, name="mobile-my-claims"),
    path("m/me/claims/<int:claim_id>/cancel/", views.claim_cancel, name="mobile-claim-cancel"),
]
