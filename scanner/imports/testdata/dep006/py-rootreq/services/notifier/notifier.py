from twilio.rest import Client
import requests  # EXPECT requests: root requirements do not apply, notifier has its own
def send(to):
    Client().messages.create(to=to, body=requests.get("https://example.org").text)
