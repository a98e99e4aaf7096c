// Package deploytest checks the deployment artefacts under deploy/: the Helm
// chart (rendered and linted with Helm's Go packages, every manifest
// strict-decoded into its Kubernetes type), the Compose file (validated
// against the Compose specification's schema, its load balancer checked by
// haproxy itself) and the systemd unit (systemd-analyze verify and
// security).
//
// It is its own Go module so that Helm and the Kubernetes API types stay out
// of vigil-proxy's dependency graph. Run it from this directory:
//
//	cd deploy/deploytest && go test ./...
package deploytest
