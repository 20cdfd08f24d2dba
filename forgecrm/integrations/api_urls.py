"""The /api/v1/ router: the one place that gathers every app's viewsets."""

from rest_framework.routers import DefaultRouter

from forgecrm.platform.rest import TeamViewSet, UserViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("teams", TeamViewSet, basename="team")

urlpatterns = router.urls
