{{/* Common names, labels and images. */}}
{{- define "fastvm.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{- define "fastvm.image" -}}
{{- $root := index . 0 -}}{{- $name := index . 1 -}}
{{- printf "%s/%s:%s" $root.Values.image.registry $name (include "fastvm.tag" $root) -}}
{{- end -}}

{{- define "fastvm.labels" -}}
app.kubernetes.io/part-of: fastvm
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Common labels plus the component's name; a superset of "fastvm.selector". */}}
{{- define "fastvm.componentLabels" -}}
{{- $root := index . 0 -}}{{- $component := index . 1 -}}
{{ include "fastvm.labels" $root }}
app.kubernetes.io/name: {{ $component }}
{{- end -}}

{{- define "fastvm.selector" -}}
{{- $root := index . 0 -}}{{- $component := index . 1 -}}
app.kubernetes.io/name: {{ $component }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
{{- end -}}

{{- define "fastvm.pullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The security context of the operator and the console proxy: nothing to escalate. */}}
{{- define "fastvm.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  capabilities:
    drop: [ALL]
  seccompProfile:
    type: RuntimeDefault
{{- end -}}
