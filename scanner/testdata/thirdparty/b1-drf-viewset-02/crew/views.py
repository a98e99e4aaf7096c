# Written for vigil-proxy's third-party-style corpus after the shape of a public Django REST framework app.
from rest_framework import permissions, serializers
from rest_framework.routers import SimpleRouter
from rest_framework.viewsets import ModelViewSet

from crew.models import CrewMember


class CrewMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = CrewMember
        fields = ["id", "username", "email", "is_staff"]


class CrewMemberViewSet(ModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CrewMemberSerializer
    queryset = CrewMember.objects.all()


crew_router = SimpleRouter()
crew_router.register(r"crew", CrewMemberViewSet)
