from django.urls import path

from .views import MyPostUpdate, PostDelete, PostUpdate, delete_comment, export_feed

urlpatterns = [
    path("posts/<int:pk>/delete/", PostDelete.as_view()),
    path("posts/<int:pk>/edit/", PostUpdate.as_view()),
    path("my/posts/<int:pk>/edit/", MyPostUpdate.as_view()),
    path("feed/export/", export_feed),
    path("comments/<int:pk>/delete/", delete_comment),
]
