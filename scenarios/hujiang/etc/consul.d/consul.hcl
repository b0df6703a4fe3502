# /etc/consul.d/consul.hcl: the agent settings every Consul agent of the platform shares
datacenter = "dc1"
data_dir   = "/opt/consul"
log_level  = "INFO"
client_addr = "0.0.0.0"
retry_join = ["master-01", "master-02", "master-03"]

ui_config {
  enabled = true
}
