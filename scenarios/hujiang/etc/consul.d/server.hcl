# /etc/consul.d/server.hcl: on the three masters, which run the Consul servers
server           = true
bootstrap_expect = 3

performance {
  raft_multiplier = 5
}
