from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("assembly.urls")),
]

# Django's admin has a password login of its own, beside allauth's and without its limits: it is
# mounted only where an operator asks for it, at a path of their choosing (ADMIN_URL).
if settings.ADMIN_URL:
    urlpatterns.insert(0, path(settings.ADMIN_URL, admin.site.urls))

handler403 = "assembly.views.errors.forbidden"
handler404 = "assembly.views.errors.not_found"
handler500 = "assembly.views.errors.server_error"
