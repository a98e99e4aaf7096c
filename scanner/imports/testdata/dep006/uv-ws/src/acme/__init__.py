import httpx
import acme_core
