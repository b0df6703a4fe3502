# Consul service definition of the shop API, as the agents' -config-dir holds it (HCL: Consul
# picks the format by the extension). The same definition as shop-api.json.
service {
  name = "api"
  tags = ["shop"]
  port = 9000

  checks = [
    {
      name                     = "HTTP /ping"
      http                     = "http://localhost:9000/ping"
      interval                 = "5s"
      timeout                  = "1s"
      failures_before_critical = 2
    },
    {
      name     = "port open"
      tcp      = "localhost:9000"
      interval = "30s"
    },
  ]
}
