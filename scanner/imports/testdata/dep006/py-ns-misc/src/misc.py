from backports.zoneinfo import ZoneInfo
from zope.interface import implementer, Interface
from ruamel.yaml import YAML
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
trace.set_tracer_provider(TracerProvider())
