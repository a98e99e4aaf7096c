package imports

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Imports below namespace packages are resolved to the sub-package's own
// distribution: a sibling distribution of the same namespace does not
// declare it, while the distribution itself, one named with other
// separators or an API version, and one that requires it do.
func TestNamespacedImports(t *testing.T) {
	a := New(Options{})
	for _, tc := range []struct {
		name     string
		imp      Import
		declared []string
		// want is key=declared-or-distribution per target.
		want []string
	}{
		{"from-import of a sibling client", Import{Name: "google", Module: "google.cloud", Members: []string{"bigquery", "storage"}}, []string{"google-cloud-storage"},
			[]string{"google.cloud.bigquery=google-cloud-bigquery", "google.cloud.storage=ok"}},
		{"dotted import of a sibling client", Import{Name: "google", Module: "google.cloud.bigquery.table"}, []string{"google-cloud-storage"}, []string{"google.cloud.bigquery=google-cloud-bigquery"}},
		{"api version suffix", Import{Name: "google", Module: "google.cloud", Members: []string{"pubsub_v1"}}, []string{"google-cloud-pubsub"}, []string{"google.cloud.pubsub_v1=ok"}},
		{"separators differ", Import{Name: "google", Module: "google.cloud.secretmanager"}, []string{"google_cloud_secret.manager"}, []string{"google.cloud.secretmanager=ok"}},
		{"core module a client requires", Import{Name: "google", Module: "google.cloud.exceptions"}, []string{"google-cloud-storage"}, []string{"google.cloud.exceptions=ok"}},
		{"core module without its client", Import{Name: "google", Module: "google.cloud.exceptions"}, []string{"google-cloud-pubsub"}, []string{"google.cloud.exceptions=google-cloud-core"}},
		{"family requirement", Import{Name: "google", Module: "google.api_core.retry"}, []string{"google-cloud-firestore"}, []string{"google.api_core=ok"}},
		{"irregular distribution", Import{Name: "google", Module: "google.protobuf", Members: []string{"json_format"}}, nil, []string{"google.protobuf=protobuf"}},
		{"irregular distribution declared", Import{Name: "google", Module: "google.oauth2.service_account"}, []string{"google-auth"}, []string{"google.oauth2=ok"}},
		{"deeper explicit key", Import{Name: "google", Module: "google.cloud.sql.connector"}, []string{"google-cloud-storage"}, []string{"google.cloud.sql.connector=cloud-sql-python-connector"}},
		{"generative ai", Import{Name: "google", Module: "google", Members: []string{"genai"}}, []string{"google-generativeai"}, []string{"google.genai=google-genai"}},
		{"bare namespace", Import{Name: "google", Module: "google"}, []string{"google-auth"}, []string{"google=ok"}},
		{"azure nested namespace", Import{Name: "azure", Module: "azure.storage.blob.aio"}, []string{"azure-storage-blob"}, []string{"azure.storage.blob=ok"}},
		{"azure sibling", Import{Name: "azure", Module: "azure.storage.queue"}, []string{"azure-storage-blob"}, []string{"azure.storage.queue=azure-storage-queue"}},
		{"azure core from any sdk", Import{Name: "azure", Module: "azure.core.exceptions"}, []string{"azure-keyvault-secrets"}, []string{"azure.core=ok"}},
		{"backports", Import{Name: "backports", Module: "backports", Members: []string{"tarfile"}}, []string{"backports.zoneinfo"}, []string{"backports.tarfile=backports-tarfile"}},
		{"zope", Import{Name: "zope", Module: "zope.component"}, []string{"zope.interface"}, []string{"zope.component=zope-component"}},
		{"jaraco through keyring", Import{Name: "jaraco", Module: "jaraco.classes.properties"}, []string{"keyring"}, []string{"jaraco.classes=ok"}},
		{"sphinxcontrib through sphinx", Import{Name: "sphinxcontrib", Module: "sphinxcontrib.serializinghtml"}, []string{"Sphinx"}, []string{"sphinxcontrib.serializinghtml=ok"}},
		{"ruamel", Import{Name: "ruamel", Module: "ruamel.yaml"}, []string{"ruamel.yaml"}, []string{"ruamel.yaml=ok"}},
		{"otel meta exporter", Import{Name: "opentelemetry", Module: "opentelemetry.exporter.otlp.proto.grpc.trace_exporter"}, []string{"opentelemetry-exporter-otlp"},
			[]string{"opentelemetry.exporter.otlp.proto.grpc=ok"}},
		{"otel api module", Import{Name: "opentelemetry", Module: "opentelemetry", Members: []string{"trace", "metrics"}}, []string{"opentelemetry-sdk"},
			[]string{"opentelemetry.trace=ok", "opentelemetry.metrics=ok"}},
		{"otel instrumentation", Import{Name: "opentelemetry", Module: "opentelemetry.instrumentation.django"}, []string{"opentelemetry-instrumentation-flask"},
			[]string{"opentelemetry.instrumentation.django=opentelemetry-instrumentation-django"}},
		{"airflow providers", Import{Name: "airflow", Module: "airflow.providers.amazon.aws.hooks.s3"}, []string{"apache-airflow-providers-google"},
			[]string{"airflow.providers.amazon=apache-airflow-providers-amazon"}},
		{"airflow provider declared", Import{Name: "airflow", Module: "airflow.providers.common.sql.hooks.sql"}, []string{"apache-airflow-providers-common-sql"},
			[]string{"airflow.providers.common=ok"}},
		{"llama-index meta package", Import{Name: "llama_index", Module: "llama_index.core"}, []string{"llama-index"}, []string{"llama_index.core=ok"}},
		{"llama-index integration", Import{Name: "llama_index", Module: "llama_index.llms.anthropic"}, []string{"llama-index"}, []string{"llama_index.llms.anthropic=llama-index-llms-anthropic"}},
		{"not a namespace", Import{Name: "requests", Module: "requests.adapters", Members: []string{"HTTPAdapter"}}, []string{"requests"}, []string{"requests=ok"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := newDeclSet()
			for _, d := range tc.declared {
				set.add("pypi", d)
			}
			var got []string
			for _, tg := range a.opts.Tables.pythonTargets(tc.imp) {
				v := "ok"
				if !a.declaredTarget("pypi", tg, set) {
					v = a.distFor(tg)
				}
				got = append(got, tg.key+"="+v)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Every namespace and explicit dotted key of the data files is well
// formed: a namespace's distribution prefix ends in a hyphen, and a dotted
// python-imports.txt key lies below a listed namespace (else the key would
// never be consulted).
func TestNamespaceTables(t *testing.T) {
	tb := LoadTables()
	if len(tb.PythonNamespaces) < 20 {
		t.Fatalf("%d namespaces loaded", len(tb.PythonNamespaces))
	}
	for ns, prefix := range tb.PythonNamespaces {
		if !strings.HasSuffix(prefix, "-") {
			t.Errorf("namespace %s: prefix %q does not end in -", ns, prefix)
		}
	}
	for k := range tb.PythonDists {
		if strings.Contains(k, ".") && tb.namespaceOf(k) == "" {
			t.Errorf("python-imports.txt key %s is below no namespace of python-namespaces.txt", k)
		}
	}
	if len(tb.PythonBroughtByFamily) == 0 {
		t.Error("no distribution families loaded")
	}
}

// FuzzPythonTargets: any module path and members (as a parsed import may
// hold) resolve without a panic, each target's key lies on the module's
// path, and a namespaced target names the namespace it lies below.
func FuzzPythonTargets(f *testing.F) {
	for _, s := range [][2]string{{"google.cloud", "bigquery,storage"}, {"google.", ""}, {"azure..storage", ""}, {"opentelemetry", ".,trace"},
		{"airflow.providers.", "x"}, {"backports", ""}, {"google.cloud.pubsub_v1", ""}, {"", ""}} {
		f.Add(s[0], s[1])
	}
	a := New(Options{})
	f.Fuzz(func(t *testing.T, module, members string) {
		imp := Import{Name: topLevel(module), Module: module}
		if members != "" {
			imp.Members = strings.Split(members, ",")
		}
		set := newDeclSet()
		set.add("pypi", "google-cloud-storage")
		for _, tg := range a.opts.Tables.pythonTargets(imp) {
			if tg.ns != "" && !strings.HasPrefix(tg.module, tg.ns) {
				t.Fatalf("target %+v lies outside its namespace", tg)
			}
			a.declaredTarget("pypi", tg, set)
			a.distFor(tg)
		}
	})
}
