from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # EXPECT opentelemetry-exporter-otlp-proto-http
e = OTLPSpanExporter()
