from django.contrib.auth.decorators import login_not_required, permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import DeleteView, UpdateView


class PostDelete(DeleteView):  # want: AUTH-002
    model = Post


class PostUpdate(PermissionRequiredMixin, UpdateView):  # ok: AUTH-001, AUTH-002
    permission_required = "blog.change_post"
    model = Post


class MyPostUpdate(UpdateView):  # ok: AUTH-002
    model = Post

    def get_queryset(self):
        return Post.objects.filter(author=self.request.user)


@login_not_required
def export_feed(request):  # want: AUTH-001
    return feed()


@permission_required("blog.delete_comment")
def delete_comment(request, pk):  # ok: AUTH-002
    Comment.objects.filter(pk=pk).delete()
