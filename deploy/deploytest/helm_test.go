package deploytest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/v2/lint"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

const chartDir = "../helm/vigil-proxy"

// manifests is one rendering of the chart, every object strict-decoded.
type manifests struct {
	configMaps      []*corev1.ConfigMap
	secrets         []*corev1.Secret
	services        []*corev1.Service
	serviceAccounts []*corev1.ServiceAccount
	pvcs            []*corev1.PersistentVolumeClaim
	deployments     []*appsv1.Deployment
	pdbs            []*policyv1.PodDisruptionBudget
	hpas            []*autoscalingv2.HorizontalPodAutoscaler
	serviceMonitors []*monitoringv1.ServiceMonitor
	kinds           []string // "apiVersion/kind name", sorted
}

// values parses a YAML values override.
func values(t *testing.T, y string) map[string]any {
	t.Helper()
	v := map[string]any{}
	if err := yaml.Unmarshal([]byte(y), &v); err != nil {
		t.Fatalf("values %q: %v", y, err)
	}
	return v
}

// render renders the chart as `helm template vigil --namespace registry` would.
func render(vals map[string]any) (map[string]string, error) {
	chrt, err := loader.Load(chartDir)
	if err != nil {
		return nil, fmt.Errorf("load chart: %w", err)
	}
	opts := common.ReleaseOptions{Name: "vigil", Namespace: "registry", Revision: 1, IsInstall: true}
	rv, err := util.ToRenderValues(chrt, vals, opts, common.DefaultCapabilities)
	if err != nil {
		return nil, fmt.Errorf("values: %w", err)
	}
	return engine.Engine{Strict: true}.RenderWithContext(context.Background(), chrt, rv)
}

// decode strict-decodes every rendered document into its Kubernetes type:
// unknown or duplicate fields, case mismatches and unknown kinds all fail.
func decode(t *testing.T, files map[string]string) manifests {
	t.Helper()
	var m manifests
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if strings.HasSuffix(name, "NOTES.txt") {
			continue
		}
		for i, doc := range strings.Split(files[name], "\n---") {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			js, err := yaml.YAMLToJSONStrict([]byte(doc))
			if err != nil {
				t.Fatalf("%s document %d: not YAML: %v\n%s", name, i, err, doc)
			}
			var tm metav1.TypeMeta
			if err := kjson.UnmarshalCaseSensitivePreserveInts(js, &tm); err != nil {
				t.Fatalf("%s document %d: %v", name, i, err)
			}
			obj, add := m.slot(tm.APIVersion + "/" + tm.Kind)
			if obj == nil {
				t.Fatalf("%s document %d: unexpected kind %s/%s", name, i, tm.APIVersion, tm.Kind)
			}
			strict, err := kjson.UnmarshalStrict(js, obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
			if err != nil {
				t.Fatalf("%s document %d: decode %s: %v", name, i, tm.Kind, err)
			}
			if len(strict) > 0 {
				t.Errorf("%s document %d: %s is not strictly valid: %v\n%s", name, i, tm.Kind, strict, doc)
			}
			add()
			meta := obj.(metav1.Object)
			if meta.GetName() == "" {
				t.Errorf("%s document %d: %s has no name", name, i, tm.Kind)
			}
			m.kinds = append(m.kinds, tm.APIVersion+"/"+tm.Kind+" "+meta.GetName())
		}
	}
	sort.Strings(m.kinds)
	return m
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// slot returns a new object of the type for apiVersion/kind and a function
// that records it, or nil for a kind the chart should not produce.
func (m *manifests) slot(gvk string) (any, func()) {
	switch gvk {
	case "v1/ConfigMap":
		o := &corev1.ConfigMap{}
		return o, func() { m.configMaps = append(m.configMaps, o) }
	case "v1/Secret":
		o := &corev1.Secret{}
		return o, func() { m.secrets = append(m.secrets, o) }
	case "v1/Service":
		o := &corev1.Service{}
		return o, func() { m.services = append(m.services, o) }
	case "v1/ServiceAccount":
		o := &corev1.ServiceAccount{}
		return o, func() { m.serviceAccounts = append(m.serviceAccounts, o) }
	case "v1/PersistentVolumeClaim":
		o := &corev1.PersistentVolumeClaim{}
		return o, func() { m.pvcs = append(m.pvcs, o) }
	case "apps/v1/Deployment":
		o := &appsv1.Deployment{}
		return o, func() { m.deployments = append(m.deployments, o) }
	case "policy/v1/PodDisruptionBudget":
		o := &policyv1.PodDisruptionBudget{}
		return o, func() { m.pdbs = append(m.pdbs, o) }
	case "autoscaling/v2/HorizontalPodAutoscaler":
		o := &autoscalingv2.HorizontalPodAutoscaler{}
		return o, func() { m.hpas = append(m.hpas, o) }
	case "monitoring.coreos.com/v1/ServiceMonitor":
		o := &monitoringv1.ServiceMonitor{}
		return o, func() { m.serviceMonitors = append(m.serviceMonitors, o) }
	}
	return nil, nil
}

func mustRender(t *testing.T, vals map[string]any) manifests {
	t.Helper()
	files, err := render(vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return decode(t, files)
}

// A production-shaped release: PostgreSQL, autoscaling, Prometheus operator.
const scaledValues = `
replicaCount: 3
store:
  urlSecret: {name: vigil-db, key: url}
  sessionKeySecret: {name: vigil-session, key: session-key}
secrets:
  existingSecret: vigil-tokens
autoscaling:
  enabled: true
  minReplicas: 2
  maxReplicas: 5
metrics:
  enabled: true
  serviceMonitor: {enabled: true, labels: {release: prometheus}}
config:
  strategy: strict
  admin:
    secure_cookies: true
    trusted_origins: ["https://vigil-admin.example.com"]
`

func TestChartRendersOnlyStrictlyValidManifests(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values string
		kinds  []string
	}{
		{"defaults", ``, []string{
			"apps/v1/Deployment vigil-vigil-proxy",
			"v1/ConfigMap vigil-vigil-proxy",
			"v1/Service vigil-vigil-proxy",
			"v1/ServiceAccount vigil-vigil-proxy",
		}},
		{"postgres, autoscaling, service monitor", scaledValues, []string{
			"apps/v1/Deployment vigil-vigil-proxy",
			"autoscaling/v2/HorizontalPodAutoscaler vigil-vigil-proxy",
			"monitoring.coreos.com/v1/ServiceMonitor vigil-vigil-proxy",
			"policy/v1/PodDisruptionBudget vigil-vigil-proxy",
			"v1/ConfigMap vigil-vigil-proxy",
			"v1/Service vigil-vigil-proxy",
			"v1/ServiceAccount vigil-vigil-proxy",
		}},
		{"two replicas, database URL in values", "replicaCount: 2\nstore: {url: 'postgres://vigil:pw@db:5432/vigil?sslmode=verify-full'}", []string{
			"apps/v1/Deployment vigil-vigil-proxy",
			"policy/v1/PodDisruptionBudget vigil-vigil-proxy",
			"v1/ConfigMap vigil-vigil-proxy",
			"v1/Secret vigil-vigil-proxy-store",
			"v1/Service vigil-vigil-proxy",
			"v1/ServiceAccount vigil-vigil-proxy",
		}},
		{"one replica on bbolt with a volume, no admin", "persistence: {enabled: true}\nadmin: {enabled: false}\nserviceAccount: {create: false}", []string{
			"apps/v1/Deployment vigil-vigil-proxy",
			"v1/ConfigMap vigil-vigil-proxy",
			"v1/PersistentVolumeClaim vigil-vigil-proxy-data",
			"v1/Service vigil-vigil-proxy",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustRender(t, values(t, tc.values))
			if diff := cmp.Diff(tc.kinds, m.kinds); diff != "" {
				t.Errorf("rendered objects (-want +got):\n%s", diff)
			}
		})
	}
}

// lintErrors runs Helm's chart linter (what `helm lint --strict` runs) and
// returns every message of warning severity or worse.
func lintErrors(t *testing.T, vals map[string]any) []support.Message {
	t.Helper()
	var bad []support.Message
	for _, msg := range lint.RunAll(chartDir, vals, "registry").Messages {
		if msg.Severity >= support.WarningSev {
			bad = append(bad, msg)
		}
	}
	return bad
}

func TestChartLintsCleanly(t *testing.T) {
	for name, vals := range map[string]string{"defaults": ``, "scaled": scaledValues} {
		for _, msg := range lintErrors(t, values(t, vals)) {
			t.Errorf("%s: lint: %v", name, msg)
		}
	}
}

func TestChartRefusesSeveralReplicasWithoutPostgreSQL(t *testing.T) {
	for _, tc := range []struct{ values, want string }{
		{"replicaCount: 2", "replicaCount=2 (autoscaling.enabled=false) needs PostgreSQL"},
		{"autoscaling: {enabled: true}", "replicaCount=1 (autoscaling.enabled=true) needs PostgreSQL"},
		{"replicaCount: 2\nstore: {url: 'mysql://db/vigil'}", "store.url must be a postgres:// or postgresql:// URL"},
		{"store: {url: 'postgres://db/v', urlSecret: {name: s}}", "set either store.url or store.urlSecret.name, not both"},
		{"replicaCount: 2\nstore: {urlSecret: {name: s}}\npersistence: {enabled: true}", "persistence is for a single replica on bbolt"},
		{"metrics: {serviceMonitor: {enabled: true}}", "metrics.serviceMonitor.enabled needs metrics.enabled=true"},
	} {
		_, err := render(values(t, tc.values))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("values %q: render error %v, want one containing %q", tc.values, err, tc.want)
		}
	}
	// `helm lint` renders in lint mode, where fail only logs; `helm template`
	// and `helm install` render as above and stop.
	// With a database the same replica count renders.
	m := mustRender(t, values(t, "replicaCount: 3\nstore: {urlSecret: {name: vigil-db}}"))
	if got := *m.deployments[0].Spec.Replicas; got != 3 {
		t.Errorf("replicas = %d, want 3", got)
	}
}

func TestDeploymentIsHardenedAndProbed(t *testing.T) {
	m := mustRender(t, values(t, scaledValues))
	dep := m.deployments[0]
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]

	if dep.Spec.Replicas != nil {
		t.Errorf("replicas = %d with autoscaling; the HPA must own the count", *dep.Spec.Replicas)
	}
	sc := c.SecurityContext
	if sc == nil || !deref(sc.ReadOnlyRootFilesystem) || !deref(sc.RunAsNonRoot) || deref(sc.AllowPrivilegeEscalation) ||
		sc.AllowPrivilegeEscalation == nil || sc.Capabilities == nil || !cmp.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container securityContext %+v: want read-only root, non-root, no privilege escalation, drop ALL", sc)
	}
	psc := pod.SecurityContext
	if psc == nil || !deref(psc.RunAsNonRoot) || psc.RunAsUser == nil || *psc.RunAsUser == 0 ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod securityContext %+v: want non-root user and the runtime's seccomp profile", psc)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the pod mounts a service account token it never uses")
	}

	probes := map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe}
	wantPath := map[string]string{"liveness": "/healthz", "readiness": "/readyz", "startup": "/healthz"}
	for name, p := range probes {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != wantPath[name] || p.HTTPGet.Port.String() != "http" {
			t.Errorf("%s probe %+v: want GET %s on port http", name, p, wantPath[name])
		}
	}
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if diff := cmp.Diff(map[string]int32{"http": 8080, "admin": 8081}, ports); diff != "" {
		t.Errorf("container ports (-want +got):\n%s", diff)
	}

	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	mounts := map[string]string{}
	for _, vm := range c.VolumeMounts {
		mounts[vm.MountPath] = vm.Name
		v, ok := volumes[vm.Name]
		if !ok {
			t.Errorf("mount %s names missing volume %s", vm.MountPath, vm.Name)
			continue
		}
		switch vm.MountPath {
		case "/var/lib/vigil-proxy", "/tmp":
			if v.EmptyDir == nil || vm.ReadOnly {
				t.Errorf("%s: want a writable emptyDir, got %+v", vm.MountPath, v.VolumeSource)
			}
		case "/etc/vigil-proxy":
			if v.ConfigMap == nil || v.ConfigMap.Name != m.configMaps[0].Name || !vm.ReadOnly {
				t.Errorf("/etc/vigil-proxy: want the ConfigMap %s read-only, got %+v", m.configMaps[0].Name, v.VolumeSource)
			}
		}
	}
	if diff := cmp.Diff(map[string]string{"/var/lib/vigil-proxy": "data", "/tmp": "tmp", "/etc/vigil-proxy": "config"}, mounts); diff != "" {
		t.Errorf("volume mounts (-want +got):\n%s", diff)
	}

	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			r := e.ValueFrom.SecretKeyRef
			env[e.Name] = fmt.Sprintf("secret %s/%s optional=%v", r.Name, r.Key, deref(r.Optional))
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		}
	}
	want := map[string]string{
		"VIGIL_CONFIG":              "/etc/vigil-proxy/config.yaml",
		"VIGIL_STORE_URL":           "secret vigil-db/url optional=false",
		"VIGIL_SESSION_KEY":         "secret vigil-session/session-key optional=false",
		"VIGIL_ADMIN_TOKEN":         "secret vigil-tokens/admin-token optional=true",
		"VIGIL_VIEWER_TOKEN":        "secret vigil-tokens/viewer-token optional=true",
		"VIGIL_REQUESTER_TOKEN":     "secret vigil-tokens/requester-token optional=true",
		"VIGIL_ADMIN_PASSWORD_HASH": "secret vigil-tokens/admin-password-hash optional=true",
		"VIGIL_NPM_TOKEN":           "secret vigil-tokens/npm-token optional=true",
		"VIGIL_NPM_HOST_TOKENS":     "secret vigil-tokens/npm-host-tokens optional=true",
		"VIGIL_WEBHOOK_SECRET":      "secret vigil-tokens/webhook-secret optional=true",
	}
	if diff := cmp.Diff(want, env); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
	if dep.Spec.Template.Annotations["checksum/config"] == "" {
		t.Error("no checksum/config annotation: a config change would not roll the pods")
	}
}

func TestSelectorsAndReferencesAgree(t *testing.T) {
	m := mustRender(t, values(t, scaledValues))
	dep, svc := m.deployments[0], m.services[0]
	podLabels := labels.Set(dep.Spec.Template.Labels)

	depSel, err := metav1.LabelSelectorAsSelector(dep.Spec.Selector)
	if err != nil || !depSel.Matches(podLabels) {
		t.Errorf("Deployment selector %v does not match its pod labels %v (%v)", dep.Spec.Selector, podLabels, err)
	}
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
		t.Errorf("Service selector %v does not match the pods %v", svc.Spec.Selector, podLabels)
	}
	pdbSel, err := metav1.LabelSelectorAsSelector(m.pdbs[0].Spec.Selector)
	if err != nil || !pdbSel.Matches(podLabels) {
		t.Errorf("PodDisruptionBudget selector does not match the pods (%v)", err)
	}
	if got := m.pdbs[0].Spec.MinAvailable; got == nil || got.IntValue() != 1 {
		t.Errorf("PodDisruptionBudget minAvailable = %v, want 1", got)
	}
	if ref := m.hpas[0].Spec.ScaleTargetRef; ref.Kind != "Deployment" || ref.Name != dep.Name {
		t.Errorf("HPA targets %s %s, want Deployment %s", ref.Kind, ref.Name, dep.Name)
	}
	if dep.Spec.Template.Spec.ServiceAccountName != m.serviceAccounts[0].Name {
		t.Errorf("pod runs as service account %q, chart creates %q", dep.Spec.Template.Spec.ServiceAccountName, m.serviceAccounts[0].Name)
	}

	sm := m.serviceMonitors[0]
	smSel, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
	if err != nil || !smSel.Matches(labels.Set(svc.Labels)) {
		t.Errorf("ServiceMonitor selector does not match the Service's labels %v (%v)", svc.Labels, err)
	}
	if sm.Labels["release"] != "prometheus" {
		t.Errorf("ServiceMonitor labels %v lack the configured release=prometheus", sm.Labels)
	}
	svcPorts := map[string]bool{}
	for _, p := range svc.Spec.Ports {
		svcPorts[p.Name] = true
	}
	if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Path != "/metrics" || !svcPorts[sm.Spec.Endpoints[0].Port] {
		t.Errorf("ServiceMonitor endpoints %+v: want /metrics on a port the Service has (%v)", sm.Spec.Endpoints, svcPorts)
	}
}

// TestConfigMapIsAcceptedByVigilProxy hands the rendered configuration file
// to the real binary: unknown keys or bad values would make it refuse.
func TestConfigMapIsAcceptedByVigilProxy(t *testing.T) {
	bin := vigilProxyBinary(t)
	for name, vals := range map[string]string{"defaults": ``, "scaled": scaledValues, "no admin": "admin: {enabled: false}"} {
		m := mustRender(t, values(t, vals))
		path := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(path, []byte(m.configMaps[0].Data["config.yaml"]), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "config", "--config", path)
		cmd.Env = []string{"HOME=" + t.TempDir()}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: vigil-proxy config rejects the chart's config: %v\n%s", name, err, out)
			continue
		}
		var effective struct {
			Listen  string `json:"listen"`
			DataDir string `json:"data_dir"`
			Admin   struct {
				Listen string `json:"listen"`
			} `json:"admin"`
			Metrics struct {
				Enabled bool `json:"enabled"`
			} `json:"metrics"`
			Strategy string `json:"strategy"`
		}
		if err := yaml.Unmarshal(out, &effective); err != nil {
			t.Fatalf("%s: effective config is not YAML: %v\n%s", name, err, out)
		}
		if effective.Listen != "0.0.0.0:8080" || effective.DataDir != "/var/lib/vigil-proxy" {
			t.Errorf("%s: listen %q data_dir %q, want 0.0.0.0:8080 and /var/lib/vigil-proxy", name, effective.Listen, effective.DataDir)
		}
		switch name {
		case "scaled":
			if !effective.Metrics.Enabled || effective.Strategy != "strict" || effective.Admin.Listen != "0.0.0.0:8081" {
				t.Errorf("scaled: metrics %v strategy %q admin %q; want true, strict, 0.0.0.0:8081", effective.Metrics.Enabled, effective.Strategy, effective.Admin.Listen)
			}
		case "no admin":
			if effective.Admin.Listen != "" {
				t.Errorf("admin disabled but admin.listen = %q", effective.Admin.Listen)
			}
		}
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// chartBudgets renders the chart with vals, hands its configuration to the
// binary and returns the effective artifact and rendered-cache disk
// budgets, in bytes.
func chartBudgets(t *testing.T, vals map[string]any) (artifacts, rendered int64) {
	t.Helper()
	m := mustRender(t, vals)
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(m.configMaps[0].Data["config.yaml"]), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runConfig(t, nil, "--config", path)
	if code != 0 {
		t.Fatalf("vigil-proxy config rejects the chart's config: %s", errOut)
	}
	var eff struct {
		Cache struct {
			Artifacts string `json:"artifacts_max_size"`
			Rendered  string `json:"rendered_max_disk"`
		} `json:"cache"`
	}
	if err := yaml.Unmarshal([]byte(out), &eff); err != nil {
		t.Fatal(err)
	}
	return byteSize(t, eff.Cache.Artifacts), byteSize(t, eff.Cache.Rendered)
}

// byteSize reads the binary's sizes ("10GiB", "256 MiB", "0") as a
// Kubernetes quantity.
func byteSize(t *testing.T, s string) int64 {
	t.Helper()
	q, err := resource.ParseQuantity(strings.TrimSuffix(strings.ReplaceAll(s, " ", ""), "B"))
	if err != nil {
		t.Fatalf("size %q: %v", s, err)
	}
	return q.Value()
}

// The caches' disk budgets fit the data volume with room to spare for the
// name index files, the malware feed dumps and the metadata cache: with
// the binary's own defaults (10GiB of artifacts) the kubelet would evict
// the pod once its emptyDir outgrew dataDir.sizeLimit (2Gi). A budget set
// in config wins, and a partial cache section keeps the other budget.
func TestCacheBudgetsFitTheDataVolume(t *testing.T) {
	const room = 512 << 20 // index files, malware dumps, metadata cache
	for name, tc := range map[string]struct {
		vals  string
		limit string
	}{
		"emptyDir":    {``, "dataDir.sizeLimit"},
		"persistence": {"persistence: {enabled: true}", "persistence.size"},
	} {
		v := values(t, tc.vals)
		artifacts, rendered := chartBudgets(t, v)
		m := mustRender(t, v)
		var limit *resource.Quantity
		for _, vol := range m.deployments[0].Spec.Template.Spec.Volumes {
			switch {
			case vol.Name == "data" && vol.EmptyDir != nil:
				limit = vol.EmptyDir.SizeLimit
			case vol.Name == "data" && vol.PersistentVolumeClaim != nil:
				q := m.pvcs[0].Spec.Resources.Requests[corev1.ResourceStorage]
				limit = &q
			}
		}
		if limit == nil {
			t.Fatalf("%s: no size for the data volume", name)
		}
		if artifacts == 0 || rendered == 0 || artifacts+rendered+room > limit.Value() {
			t.Errorf("%s: cache budgets %d + %d bytes (+%d for the rest) do not fit %s %s", name, artifacts, rendered, room, tc.limit, limit)
		}
	}
	artifacts, rendered := chartBudgets(t, values(t, "config: {cache: {artifacts_max_size: 3GiB, ttl: 10m}}\ndataDir: {sizeLimit: 5Gi}"))
	if artifacts != 3<<30 || rendered != 256<<20 {
		t.Errorf("config.cache.artifacts_max_size 3GiB: budgets %d, %d; want 3GiB and the chart's 256MiB", artifacts, rendered)
	}
}
