{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "vigil-proxy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: the release name, unless it already holds the chart name. */}}
{{- define "vigil-proxy.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "vigil-proxy.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "vigil-proxy.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "vigil-proxy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vigil-proxy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "vigil-proxy.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "vigil-proxy.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* True (non-empty) when the release uses PostgreSQL rather than bbolt. */}}
{{- define "vigil-proxy.usesPostgres" -}}
{{- if or .Values.store.url .Values.store.urlSecret.name }}true{{ end }}
{{- end }}

{{/* True (non-empty) when more than one pod may run at once (not counting a rollout's surge). */}}
{{- define "vigil-proxy.multiReplica" -}}
{{- if or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled }}true{{ end }}
{{- end }}

{{/*
Refuse settings that would lose data or cannot work. The embedded bbolt
store takes a file lock held by one process: a second replica would either
wait forever for the lock or keep its own, diverging audit trail and lists.
*/}}
{{- define "vigil-proxy.validate" -}}
{{- if and (include "vigil-proxy.multiReplica" .) (not (include "vigil-proxy.usesPostgres" .)) }}
{{- fail (printf "replicaCount=%v (autoscaling.enabled=%v) needs PostgreSQL: more than one replica cannot share the embedded bbolt store. Set store.urlSecret.name (a Secret holding the postgres:// URL) or store.url, or use replicaCount=1 without autoscaling." .Values.replicaCount .Values.autoscaling.enabled) }}
{{- end }}
{{- if and .Values.store.url .Values.store.urlSecret.name }}
{{- fail "set either store.url or store.urlSecret.name, not both" }}
{{- end }}
{{- if and .Values.store.url (not (hasPrefix "postgres://" .Values.store.url)) (not (hasPrefix "postgresql://" .Values.store.url)) }}
{{- fail "store.url must be a postgres:// or postgresql:// URL" }}
{{- end }}
{{- if and .Values.persistence.enabled (include "vigil-proxy.multiReplica" .) }}
{{- fail "persistence is for a single replica on bbolt; with PostgreSQL and several replicas the data directory only holds the disposable cache (leave persistence.enabled=false)" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled=true" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- end }}

{{/* The configuration file: the user's config with the keys the chart owns. */}}
{{- define "vigil-proxy.config" -}}
{{- /* The caches' disk budgets follow dataDir (the binary's defaults, 10GiB
     of artifacts, outgrow the data volume); config.cache.* overrides them. */ -}}
{{- $defaults := dict "cache" (dict "artifacts_max_size" .Values.dataDir.artifactsMaxSize "rendered_max_disk" .Values.dataDir.renderedMaxDisk) }}
{{- $owned := dict "listen" "0.0.0.0:8080" "data_dir" "/var/lib/vigil-proxy" "admin" (dict "listen" (ternary "0.0.0.0:8081" "" .Values.admin.enabled)) "metrics" (dict "enabled" .Values.metrics.enabled) }}
{{- mergeOverwrite (deepCopy $defaults) (deepCopy (.Values.config | default dict)) $owned | toYaml }}
{{- end }}
