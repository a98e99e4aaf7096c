# Written for vigil-proxy's third-party-style corpus after the shape of a public Python SDK's test suite.
import unittest

from hooksdk.models.WebhookReply import WebhookReply


class TestWebhookReply(unittest.TestCase):
    def test_placeholder(self):
        self.assertTrue(True)

    def test_webhook_reply(self):
        reply = WebhookReply(webhook={"retries": 3})
        self.assertEqual(reply.webhook, {"retries": 3})


if __name__ == "__main__":
    unittest.main()
