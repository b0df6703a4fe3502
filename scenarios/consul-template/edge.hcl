# consul-template's configuration on the edge hosts, as deployed (consul-template -config
# /etc/consul-template/edge.hcl). The scenario maps /etc/consul-template/templates/ to
# scenarios/templates/ (consulTemplate.sourceFolders).
consul {
  address = "127.0.0.1:8500"

  retry {
    enabled     = true
    attempts    = 12
    backoff     = "250ms"
    max_backoff = "1m"
  }
}

log_level = "info"
pid_file  = "/run/consul-template.pid"

wait {
  min = "2s"
  max = "10s"
}

template {
  source      = "/etc/consul-template/templates/nginx-upstreams.ctmpl"
  destination = "/etc/nginx/conf.d/upstreams.conf"
  command     = "nginx -s reload"
  perms       = 0644
}
