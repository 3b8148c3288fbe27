{{- define "hypha.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hypha.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "hypha.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "hypha.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "hypha.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hypha.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "hypha.secretName" -}}
{{- default (include "hypha.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* Refuse settings that cannot work, with a message naming the value to set. */}}
{{- define "hypha.validate" -}}
{{- if and (not .Values.existingSecret) (not .Values.jwtSecret) -}}
{{- fail "set jwtSecret (shared by all replicas) or existingSecret" -}}
{{- end -}}
{{- if and (or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled) (not .Values.redis.uri) (not .Values.existingSecret) -}}
{{- fail "more than one replica needs redis.uri (instances route messages through Redis)" -}}
{{- end -}}
{{- if and .Values.s3.enabled (not .Values.s3.endpointUrl) -}}
{{- fail "s3.enabled needs s3.endpointUrl" -}}
{{- end -}}
{{- if and .Values.s3.enabled (not .Values.existingSecret) (or (not .Values.s3.accessKeyId) (not .Values.s3.secretAccessKey)) -}}
{{- fail "s3.enabled needs s3.accessKeyId and s3.secretAccessKey (or existingSecret)" -}}
{{- end -}}
{{- end -}}
