# Written for vigil-proxy's third-party-style corpus after the shape of a public Python SDK's test suite.
import pytest

from papertrail import client as sdk
from papertrail.models import PageInput


@pytest.mark.integration
class TestDocumentPages:

    def test_add_page(self, live_context, live_env):
        folder = live_env.get("folder_id")
        document = live_env.get("document_id")
        if not folder or not document:
            pytest.skip("folder_id and document_id must be set for live tests")
        page = PageInput(text="first page", number=None)
        result = sdk.pages.Add.call(
            context=live_context, folder_id=folder, document_id=document, page=page,
        )
        assert result is not None

    def test_add_pages(self, live_context, live_env):
        folder = live_env.get("folder_id")
        document = live_env.get("document_id")
        if not folder or not document:
            pytest.skip("folder_id and document_id must be set")
        result = sdk.pages.AddMany.call(
            context=live_context, pages=["page one", "page two"], folder_id=folder, document_id=document,
        )
        assert result is not None
