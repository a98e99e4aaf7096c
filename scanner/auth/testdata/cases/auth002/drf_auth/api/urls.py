from rest_framework.routers import DefaultRouter

from .views import AuditViewSet, TeamViewSet

router = DefaultRouter()
router.register("teams", TeamViewSet)
router.register("audits", AuditViewSet)
urlpatterns = router.urls
