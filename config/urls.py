from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("assembly.urls")),
]

handler403 = "assembly.views.errors.forbidden"
handler404 = "assembly.views.errors.not_found"
handler500 = "assembly.views.errors.server_error"
