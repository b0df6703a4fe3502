import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import TestSupport
import XCTest

/// Shapes found in public configuration files (Prometheus' and Alertmanager's test data and
/// examples, Marathon's and marathon-lb's app files, Consul's documented service definitions) on
/// which the loaders disagreed with the real systems. Each fixture is written here in its minimal
/// form; where the real tool is installed (promtool) it judges, as the project does.
final class PublicFileShapeTests: XCTestCase {
    // MARK: prometheus.yml, judged by promtool check config

    /// (config, promtool's verdict when it is not installed). Every case is one disagreement found.
    static let promCases: [(String, Bool)] = [
        // http client authentications that may not go together (common/config HTTPClientConfig.Validate)
        (#"{"scrape_configs": [{"job_name": "a", "bearer_token": 99, "bearer_token_file": "t"}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "basic_auth": {"username": "u"}, "bearer_token": "t"}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "authorization": {"type": "Basic", "credentials": "x"}}]}"#, false),
        // marathon_sd tokens against the other authentications
        (#"{"scrape_configs": [{"job_name": "a", "marathon_sd_configs": [{"servers": ["http://m:8080"], "auth_token": "t", "basic_auth": {"username": "u"}}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "marathon_sd_configs": [{"servers": ["http://m:8080"], "auth_token": "t", "auth_token_file": "f"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "marathon_sd_configs": [{"servers": ["http://m:8080"], "auth_token": "t"}]}]}"#, true),
        // relabel rules
        (#"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"action": "lowercase", "source_labels": ["x"], "target_label": "y", "replacement": "z"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"action": "keepequal", "source_labels": ["x"], "target_label": "y"}]}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"action": "dropequal", "source_labels": ["x"], "target_label": "y", "regex": "(.*)"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"source_labels": ["x"], "regex": 1, "action": "keep"}]}]}"#, true),
        (#"{"alerting": {"alert_relabel_configs": [null]}}"#, false),
        (#"{"alerting": {"alertmanagers": [{"relabel_configs": [null], "static_configs": [{"targets": ["m:9093"]}]}]}}"#, false),
        // a URL as a target: refused unless relabeling rewrites the address
        (#"{"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["http://h"]}], "relabel_configs": [{"target_label": "__address__", "replacement": "h:9100"}]}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["http://h"]}], "relabel_configs": [{"target_label": "k", "replacement": "v"}]}]}"#, false),
        (#"{"alerting": {"alertmanagers": [{"static_configs": [{"targets": ["http://m"]}], "relabel_configs": [{"target_label": "__address__", "replacement": "m:9093"}]}]}}"#, true),
        // an empty scrape address, before or after relabeling: "no address" (scrape/target.go PopulateLabels,
        // which promtool runs on every static target); dropped first, it is fine; an Alertmanager's is not checked
        (#"{"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["h:1"]}, {"targets": ["h:2", ""]}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["h:1"]}], "relabel_configs": [{"target_label": "__address__", "replacement": ""}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": [""]}], "relabel_configs": [{"source_labels": ["__address__"], "regex": "", "action": "drop"}]}]}"#, true),
        (#"{"alerting": {"alertmanagers": [{"static_configs": [{"targets": [""]}]}]}}"#, true),
        // any scrape scheme loads (config.go does not check it; scrapes then fail, docs/monitoring.md); a
        // port-less target needs http's or https' default port: `invalid scheme: "ftp"` (PopulateLabels)
        (#"{"scrape_configs": [{"job_name": "a", "scheme": "ftp", "static_configs": [{"targets": ["h:9100"]}]}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "scheme": "HTTPS", "static_configs": [{"targets": ["h:9100"]}]}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "scheme": "ftp", "static_configs": [{"targets": ["h"]}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scheme": "HTTPS", "static_configs": [{"targets": ["h"]}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scheme": "ftp", "static_configs": [{"targets": ["h"]}], "relabel_configs": [{"target_label": "__scheme__", "replacement": "http"}]}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["h"]}], "relabel_configs": [{"target_label": "__scheme__", "replacement": "gopher"}]}]}"#, false),
        // scaleway_sd: discovery/scaleway SDConfig.UnmarshalYAML and scaleway-sdk-go's client option checks (third corpus: not checked)
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "instance", "project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key": "11111111-1111-1111-1111-111111111111"}]}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "x", "project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key": "11111111-1111-1111-1111-111111111111"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "", "project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key": "11111111-1111-1111-1111-111111111111"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key": "11111111-1111-1111-1111-111111111111"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "baremetal", "project_id": "p", "access_key": "SCWXXXXXXXXXXXXXXXXX"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "baremetal", "project_id": "p", "secret_key": "s", "secret_key_file": "f"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "baremetal", "project_id": "p", "secret_key": "s"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "instance", "project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCWxXXXXXXXXXXXXXXXX", "secret_key": "11111111-1111-1111-1111-111111111111"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "instance", "project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key": "AAAAAAAA-1111-1111-1111-111111111111"}]}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "instance", "project_id": "nope", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key": "nope"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "instance", "project_id": "gggggggg-1111-1111-1111-111111111111", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key_file": "/x"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "instance", "project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key": "11111111-1111-1111-1111-111111111111", "zone": "it-mil-1"}]}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "instance", "project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key": "11111111-1111-1111-1111-111111111111", "zone": "fr-par-9x"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "instance", "project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key": "11111111-1111-1111-1111-111111111111", "zone": ""}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "instance", "project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key": "11111111-1111-1111-1111-111111111111", "api_url": "https://api.example.com/"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "instance", "project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key": "11111111-1111-1111-1111-111111111111", "api_url": "::"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "instance", "project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCWXXXXXXXXXXXXXXXXX", "secret_key": "11111111-1111-1111-1111-111111111111", "api_url": "notaurl"}]}]}"#, true),
        // a file_sd file that does not exist yet: loads (promtool warns)
        (#"{"scrape_configs": [{"job_name": "a", "file_sd_configs": [{"files": ["targets/later.json"]}]}]}"#, true),
        // remote storage and tracing sections the simulator does not use
        (#"{"remote_write": [{"name": "q"}]}"#, false),
        (#"{"remote_write": [{"url": "http://a/w", "name": "q"}, {"url": "http://b/w", "name": "q"}]}"#, false),
        (#"{"remote_write": [{"url": "http://a/w", "headers": {"Content-Type": "x"}}]}"#, false),
        (#"{"remote_write": [null]}"#, false),
        (#"{"remote_read": [{"read_recent": true}]}"#, false),
        (#"{"remote_write": [{"url": "http://a/w", "name": "q"}], "remote_read": [{"url": "http://a/r", "name": "q"}]}"#, true),
        (#"{"tracing": {"client_type": "grpc"}}"#, false),
        (#"{"tracing": {"endpoint": "t:4317", "compression": "zip"}}"#, false),
        // service discoveries not simulated, with their own load-time checks
        (#"{"scrape_configs": [{"job_name": "a", "azure_sd_configs": [{"tenant_id": "t", "client_id": "c", "client_secret": "s"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "azure_sd_configs": [{"subscription_id": "s", "authentication_method": "ManagedIdentity"}]}]}"#, true),   // 2.53: invalid (newerPromVerdicts)
        (#"{"scrape_configs": [{"job_name": "a", "eureka_sd_configs": [{"server": "eureka:8761"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "uyuni_sd_configs": [{"username": "u", "password": "p"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "ec2_sd_configs": [{"region": "eu-west-1", "filters": [{"name": "tag:x", "values": []}]}]}]}"#, false),
        // body_size_limit is a size with its unit (alecthomas/units ParseBase2Bytes)
        (#"{"scrape_configs": [{"job_name": "a", "body_size_limit": 100}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "body_size_limit": "10MB"}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "body_size_limit": "1GiB512MiB"}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "body_size_limit": "0"}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "body_size_limit": "10 MB"}]}"#, false),
        // sample_limit is a uint as yaml.v2 decodes one (a float is converted, a negative float too)
        (#"{"scrape_configs": [{"job_name": "a", "sample_limit": 1.5}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "sample_limit": -1.5}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "sample_limit": -1}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "sample_limit": "10"}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "sample_limit": 1e30}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "sample_limit": 100, "honor_timestamps": false}]}"#, true),
        // 2.42's global section has no scrape limits (they came with 2.45): unknown fields
        (#"{"global": {"sample_limit": 1000}}"#, false),   // 2.53: valid (newerPromVerdicts)
        (#"{"global": {"body_size_limit": "10MB", "target_limit": 0}}"#, false),   // 2.53: valid (newerPromVerdicts)
        (#"{"global": {"scrape_interval": "30s", "query_log_file": "q.log"}}"#, true),
        // remote storage and storage sections: 2.42's fields only (later versions added protobuf_message,
        // queue_config.sample_age_limit, storage.tsdb.retention ...)
        (#"{"remote_write": [{"url": "http://a/w", "protobuf_message": "io.prometheus.write.v2.Request"}]}"#, false),
        (#"{"remote_write": [{"url": "http://a/w", "queue_config": {"sample_age_limit": "1m"}}]}"#, false),   // 2.53: valid (newerPromVerdicts)
        (#"{"remote_write": [{"url": "http://a/w", "queue_config": {"max_shards": 2, "capacity": 100}, "metadata_config": {"send": false}, "send_exemplars": true}]}"#, true),
        (#"{"remote_read": [{"url": "http://a/r", "read_recent": true, "required_matchers": {"a": "b"}, "tls_config": {}}]}"#, true),
        (#"{"remote_read": [{"url": "http://a/r", "filter": true}]}"#, false),
        (#"{"storage": {"tsdb": {"out_of_order_time_window": "10m"}, "exemplars": {"max_exemplars": 10}}}"#, true),
        (#"{"storage": {"tsdb": {"retention": {"time": "1d"}}}}"#, false),
        (#"{"storage": {"tsdb": {"out_of_order_time_window": "10m"}, "chunk_encoding": "xor"}}"#, false),
        // http client and scrape fields of later versions (prometheus/common v0.40's proxy settings, 2.45's bucket limit)
        (#"{"scrape_configs": [{"job_name": "a", "proxy_url": "http://p:3128", "no_proxy": "h"}]}"#, false),   // 2.53: valid (newerPromVerdicts)
        (#"{"scrape_configs": [{"job_name": "a", "proxy_from_environment": true}]}"#, false),   // 2.53: valid (newerPromVerdicts)
        (#"{"scrape_configs": [{"job_name": "a", "native_histogram_bucket_limit": 160}]}"#, false),   // 2.53: valid (newerPromVerdicts)
        (#"{"scrape_configs": [{"job_name": "a", "proxy_url": "http://p:3128", "proxy_connect_header": {"X": ["y"]}}]}"#, true),
        // a file_sd file outside the scenario's folder (an absolute path, as is usual): Prometheus loads the
        // configuration (promtool warns when the file is missing); no targets from it here
        (#"{"scrape_configs": [{"job_name": "a", "file_sd_configs": [{"files": ["/nonexistent-dir/targets/web.yml"]}]}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "file_sd_configs": [{"files": ["../../nonexistent-dir/*.json"]}]}]}"#, true),
        // an Alertmanager found by any discovery (AlertmanagerConfig inlines them all)
        (#"{"alerting": {"alertmanagers": [{"marathon_sd_configs": [{"servers": ["http://marathon.mesos:8080"]}], "relabel_configs": [{"source_labels": ["__meta_marathon_app"], "regex": "/alertmanager", "action": "keep"}]}]}}"#, true),
        (#"{"alerting": {"alertmanagers": [{"docker_sd_configs": [{"host": "unix:///var/run/docker.sock"}]}]}}"#, true),
        (#"{"alerting": {"alertmanagers": [{"marathon_sd_configs": [{"servers": []}]}]}}"#, false),
        // third corpus, shapes read off 2.42's discovery code (dns, moby, http SDConfig.UnmarshalYAML) and
        // url.Values: each loaded, promtool refuses it
        (#"{"scrape_configs": [{"job_name": "a", "dns_sd_configs": [{"names": ["x"], "type": "A"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "dns_sd_configs": [{"names": ["x"], "type": "NS", "port": 9}]}]}"#, false),   // 2.53: valid (newerPromVerdicts)
        (#"{"scrape_configs": [{"job_name": "a", "dns_sd_configs": [{"names": []}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "dns_sd_configs": [{"names": ["x"], "type": "mx", "port": 25}]}]}"#, true),
        (#"{"alerting": {"alertmanagers": [{"dns_sd_configs": [{"names": ["am"], "type": "AAAA"}]}]}}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "dockerswarm_sd_configs": [{"host": "unix:///var/run/docker.sock"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "dockerswarm_sd_configs": [{"host": "unix:///var/run/docker.sock", "role": "task"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "docker_sd_configs": [{"port": 9}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "http_sd_configs": [{"url": "ftp://x/sd"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "http_sd_configs": [{"url": "http:///sd"}]}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "http_sd_configs": [{"url": "HTTP://x/sd"}]}]}"#, true),
        (#"{"scrape_configs": [{"job_name": "a", "params": {"module": "http_2xx"}}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "params": {"module": [["x"]]}}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "params": {"module": ["http_2xx"], "target": null}}]}"#, true),
        // the http client's structs decoded strictly (prometheus/common v0.39.0 http_config.go)
        (#"{"scrape_configs": [{"job_name": "a", "basic_auth": {"username_file": "u", "password": "p"}}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "tls_config": {"insecure_skip_verify": true, "ca_dir": "x"}}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "authorization": {"credentials": "c", "scheme": "Bearer"}}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "tls_config": {"min_version": "TLS14"}}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "oauth2": {"client_id": "c", "client_secret": "s", "token_url": "http://t", "tls_config": {"max_version": "tls13"}}}]}"#, false),
        (#"{"scrape_configs": [{"job_name": "a", "tls_config": {"min_version": "TLS12", "max_version": "TLS13", "insecure_skip_verify": true, "server_name": "s"}}]}"#, true),
    ]

    /// promtool's verdicts of other releases where they differ from 2.42's, by config; checked when
    /// that release is installed (Judge.promtool).
    static let newerPromVerdicts: [String: [String: Bool]] = [
        // Debian 13's 2.53.3 is built without azure SD: "field azure_sd_configs not found in type config.ScrapeConfig"
        "2.53": [#"{"scrape_configs": [{"job_name": "a", "azure_sd_configs": [{"subscription_id": "s", "authentication_method": "ManagedIdentity"}]}]}"#: false,
                 // fields of later releases, which 2.42 refuses (the global scrape limits and native_histogram_bucket_limit came
                 // with 2.45; remote_write's sample_age_limit, no_proxy and proxy_from_environment after 2.42 too)
                 #"{"global": {"sample_limit": 1000}}"#: true,
                 #"{"global": {"body_size_limit": "10MB", "target_limit": 0}}"#: true,
                 #"{"remote_write": [{"url": "http://a/w", "queue_config": {"sample_age_limit": "1m"}}]}"#: true,
                 #"{"scrape_configs": [{"job_name": "a", "proxy_url": "http://p:3128", "no_proxy": "h"}]}"#: true,
                 #"{"scrape_configs": [{"job_name": "a", "proxy_from_environment": true}]}"#: true,
                 #"{"scrape_configs": [{"job_name": "a", "native_histogram_bucket_limit": 160}]}"#: true,
                 // NS records in dns_sd_configs came with 2.49.0 (prometheus/prometheus 2c420b518e, discovery/dns/dns.go)
                 #"{"scrape_configs": [{"job_name": "a", "dns_sd_configs": [{"names": ["x"], "type": "NS", "port": 9}]}]}"#: true,
                 // basic_auth's username_file came with a later prometheus/common than 2.42's v0.39
                 #"{"scrape_configs": [{"job_name": "a", "basic_auth": {"username_file": "u", "password": "p"}}]}"#: true],
    ]

    /// kubernetes_sd_configs: Debian's promtool is built without it ("field kubernetes_sd_configs not
    /// found"), so the verdicts and reasons are Prometheus 2.42's discovery/kubernetes/kubernetes.go
    /// `SDConfig.UnmarshalYAML` (nil: loads, with the not-simulated warning).
    static let kubernetesCases: [(String, String?)] = [
        (#"{"role": "endpoints", "selectors": [{"role": "pod", "label": "app=web", "field": "spec.nodeName=n1"}, {"role": "service", "label": "tier in (a, b)"}]}"#, nil),
        (#"{"role": "pod", "api_server": "https://k:6443", "bearer_token": "t"}"#, nil),
        (#"{"role": "node", "kubeconfig_file": "/etc/kube.conf"}"#, nil),
        (#"{"role": "pod", "api_server": ""}"#, nil),
        (#"{"role": "pod", "namespaces": {"own_namespace": true, "names": ["x"]}}"#, nil),
        (#"{"api_server": "https://k:6443"}"#, "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)"),
        (#"{"role": "container"}"#, #"unknown Kubernetes SD role "container""#),
        (#"{"role": "pod", "bearer_token": "t"}"#, "to use custom HTTP client configuration please provide the 'api_server' URL explicitly"),
        (#"{"role": "pod", "api_server": "https://k", "bearer_token": "t", "basic_auth": {"username": "u"}}"#, "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured"),
        (#"{"role": "pod", "api_server": "https://k", "kubeconfig_file": "/k"}"#, "cannot use 'kubeconfig_file' and 'api_server' simultaneously"),
        (#"{"role": "pod", "kubeconfig_file": "/k", "tls_config": {"insecure_skip_verify": true}}"#, "cannot use a custom HTTP client configuration together with 'kubeconfig_file'"),
        (#"{"role": "pod", "api_server": "https://k", "namespaces": {"own_namespace": true}}"#, "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously"),
        (#"{"role": "pod", "kubeconfig_file": "/k", "namespaces": {"own_namespace": true}}"#, "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously"),
        (#"{"role": "service", "selectors": [{"role": "service"}, {"role": "service", "label": "a=b"}]}"#, "duplicated selector role: service"),
        (#"{"role": "endpoints", "selectors": [{"role": "node"}]}"#, "endpoints role supports only pod, service, endpoints selectors"),
        (#"{"role": "ingress", "selectors": [{"role": "pod"}]}"#, "ingress role supports only ingress selectors"),
        (#"{"role": "pod", "selectors": [{"role": "pod", "field": "status.phase-Running"}]}"#, "invalid selector: 'status.phase-Running'; can't understand 'status.phase-Running'"),
        (#"{"role": "pod", "selectors": [{"role": "pod", "label": "app in (a, b"}]}"#, "expected: ')'"),
        (#"{"role": "pod", "selectors": [{"role": "pod", "label": "-app=x"}]}"#, "name part must consist of alphanumeric characters"),
        (#"{"role": "pod", "namespace": {"names": ["x"]}}"#, "field namespace not found in type kubernetes.plain"),
    ]

    func testKubernetesSDRefusedAsPrometheusRefusesIt() {
        for (sd, reason) in Self.kubernetesCases {
            let config = #"{"scrape_configs": [{"job_name": "a", "kubernetes_sd_configs": [\#(sd)]}]}"#
            let text = #"{"name": "t", "duration": "1h", "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "200GB"}], "prometheus": {"host": "master-01", "config": \#(config)}}"#
            if let reason {
                let errs = loadErrors(text)
                XCTAssertEqual(errs.count, 1, "\(sd): \(errs)")
                XCTAssertEqual(errs.first?.path, "prometheus.config.scrape_configs[0].kubernetes_sd_configs[0]", sd)
                XCTAssertTrue(errs.first?.message.contains(reason) ?? false, "\(sd): expected \(reason), got \(errs)")
            } else {
                XCTAssertNoThrow(try ScenarioLoader.load(text: text, baseDirectory: "/tmp", fileName: "s.json", overrides: []), sd)
            }
        }
    }

    func promScenario(_ file: String) -> String {
        #"{"name": "t", "duration": "1h", "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "200GB"}], "prometheus": {"host": "master-01", "config": "\#(file)"}}"#
    }

    func testPrometheusConfigShapesGetPromtoolsVerdict() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // promtool decides when it is 2.42, another release must give the recorded verdicts (Judge)
        let judge = Judge.promtool
        judge.checkRecorded(Self.newerPromVerdicts, cases: Dictionary(Self.promCases.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a }))
        for (i, (config, expected)) in Self.promCases.enumerated() {
            let file = "c\(i).json"
            write(config, to: dir + "/" + file)
            var tool: Bool?
            var said = "(promtool not asked: recorded verdict)"
            if judge.runs {
                let (rc, out) = try PrometheusConfigTests.promtoolCheckConfig(dir + "/" + file)
                (tool, said) = (rc == 0, out)
            }
            var errors: [ScenarioError] = []
            do { _ = try ScenarioLoader.load(text: promScenario(file), baseDirectory: dir, fileName: "s.json") } catch { errors = error.errors }
            judge.check(config, tool: tool, ours: errors.isEmpty, modelledVerdict: expected, newer: Self.newerPromVerdicts.compactMapValues { $0[config] },
                        detail: "promtool: \(said)\nours: \(errors)")
        }
        if case .unrecorded = judge.use { throw XCTSkip(judge.skipReason) }
    }

    func testRefusalsNameThePathAndPrometheusReason() {
        func one(_ config: String, _ path: String, _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
            let errs = loadErrors(#"{"name": "t", "duration": "1h", "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "200GB"}], "prometheus": {"host": "master-01", "config": \#(config)}}"#,
                                  file: file, line: line)
            XCTAssertEqual(errs.count, 1, "\(errs)", file: file, line: line)
            XCTAssertEqual(errs.first?.path, path, file: file, line: line)
            XCTAssertTrue(errs.first?.message.contains(reason) ?? false, "\(errs)", file: file, line: line)
        }
        one(#"{"scrape_configs": [{"job_name": "a", "bearer_token": "x", "bearer_token_file": "f"}]}"#,
            "prometheus.config.scrape_configs[0]", "at most one of bearer_token & bearer_token_file must be configured")
        one(#"{"scrape_configs": [{"job_name": "a", "marathon_sd_configs": [{"servers": ["http://m"], "auth_token": "t", "bearer_token": "b"}]}]}"#,
            "prometheus.config.scrape_configs[0].marathon_sd_configs[0]", "marathon_sd: at most one of bearer_token, bearer_token_file, auth_token & auth_token_file must be configured")
        one(#"{"remote_write": [{"url": "http://a", "headers": {"Authorization": "x"}}]}"#,
            "prometheus.config.remote_write[0].headers.Authorization", "authorization header must be changed via the basic_auth")
        one(#"{"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["http://h"]}], "relabel_configs": [{"target_label": "k", "replacement": "v"}]}]}"#,
            "prometheus.config.scrape_configs[0]", #"instance 0 in group 0: "http://h" is not a valid hostname"#)
        one(#"{"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["h:1"]}, {"targets": ["h:2", ""]}]}]}"#,
            "prometheus.config.scrape_configs[0]", "instance 1 in group 1: no address")
        one(#"{"scrape_configs": [{"job_name": "a", "scaleway_sd_configs": [{"role": "instance", "project_id": "11111111-1111-1111-1111-111111111111", "access_key": "SCW123", "secret_key": "11111111-1111-1111-1111-111111111111"}]}]}"#,
            "prometheus.config.scrape_configs[0].scaleway_sd_configs[0]", "scaleway-sdk-go: invalid access key format 'SCW123', expected SCWXXXXXXXXXXXXXXXXX format")
        one(#"{"scrape_configs": [{"job_name": "a", "scheme": "ftp", "static_configs": [{"targets": ["h:1", "h"]}]}]}"#,
            "prometheus.config.scrape_configs[0]", #"instance 1 in group 0: invalid scheme: "ftp""#)
        // relabeled to another scheme, the error still quotes the configuration's (cfg.Scheme)
        one(#"{"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["h"]}], "relabel_configs": [{"target_label": "__scheme__", "replacement": "gopher"}]}]}"#,
            "prometheus.config.scrape_configs[0]", #"instance 0 in group 0: invalid scheme: "http""#)
        // an Alertmanager's: notifier.go AlertmanagerFromGroup's error as it is, no instance and group
        let am = loadErrors(#"{"name": "t", "duration": "1h", "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "200GB"}], "prometheus": {"host": "master-01", "config": {"alerting": {"alertmanagers": [{"static_configs": [{"targets": ["http://h"]}], "relabel_configs": [{"target_label": "k", "replacement": "v"}]}]}}}}"#)
        XCTAssertEqual(am.map(\.path), ["prometheus.config.alerting.alertmanagers[0]"])
        XCTAssertTrue(am.first?.message.hasPrefix(#""http://h" is not a valid hostname"#) ?? false, "\(am)")
        one(#"{"scrape_configs": [{"job_name": "a", "body_size_limit": 100}]}"#,
            "prometheus.config.scrape_configs[0].body_size_limit", "units: unknown unit  in 100")
        one(#"{"global": {"label_limit": 30}}"#, "prometheus.config.global.label_limit", "field label_limit not found in type config.plain")
        one(#"{"storage": {"tsdb": {"retention": {"size": "1GB"}}}}"#, "prometheus.config.storage.tsdb.retention", "field retention not found in type config.plain")
        // consul_sd (Debian's promtool is built without it): 2.42's discovery/consul SDConfig has no path_prefix (2.45) nor filter (3.0)
        for k in ["path_prefix", "filter"] {
            one(#"{"scrape_configs": [{"job_name": "a", "consul_sd_configs": [{"server": "c:8500", "\#(k)": "x"}]}]}"#,
                "prometheus.config.scrape_configs[0].consul_sd_configs[0].\(k)", "field \(k) not found in type consul.SDConfig")
        }
        one(#"{"remote_write": [{"url": "http://a/w", "protobuf_message": "x"}]}"#, "prometheus.config.remote_write[0].protobuf_message",
            "field protobuf_message not found in type config.plain")
        // discoveries the simulator does not run, refused at load as 2.42 refuses them (third corpus)
        one(#"{"scrape_configs": [{"job_name": "a", "dns_sd_configs": [{"names": ["x"], "type": "MX"}]}]}"#,
            "prometheus.config.scrape_configs[0].dns_sd_configs[0]", "a port is required in DNS-SD configs for all record types except SRV")
        one(#"{"scrape_configs": [{"job_name": "a", "dns_sd_configs": [{"names": ["x"], "type": "NS", "port": 9}]}]}"#,
            "prometheus.config.scrape_configs[0].dns_sd_configs[0]", "invalid DNS-SD records type NS")
        one(#"{"scrape_configs": [{"job_name": "a", "dockerswarm_sd_configs": [{"host": "unix:///var/run/docker.sock"}]}]}"#,
            "prometheus.config.scrape_configs[0].dockerswarm_sd_configs[0]", "role missing (one of: tasks, services, nodes)")
        one(#"{"scrape_configs": [{"job_name": "a", "http_sd_configs": [{"url": "ftp://x/sd"}]}]}"#,
            "prometheus.config.scrape_configs[0].http_sd_configs[0]", "URL scheme must be 'http' or 'https'")
        one(#"{"scrape_configs": [{"job_name": "a", "params": {"module": "http_2xx"}}]}"#,
            "prometheus.config.scrape_configs[0].params.module", "cannot unmarshal !!str `http_2xx` into []string")
        one(#"{"scrape_configs": [{"job_name": "a", "basic_auth": {"username_file": "u", "password": "p"}}]}"#,
            "prometheus.config.scrape_configs[0].basic_auth.username_file", "field username_file not found in type config.plain")
        one(#"{"scrape_configs": [{"job_name": "a", "tls_config": {"min_version": "TLS14"}}]}"#,
            "prometheus.config.scrape_configs[0].tls_config.min_version", "unknown TLS version: TLS14")
    }

    /// rule_files as promtool check config 2.42 resolves them (cmd/promtool/main.go checkConfig;
    /// path/filepath Glob and Match): `?`, `[...]` and `\\` are globs like `*`; a pattern without `*`
    /// must match an existing file (`"r/b?json" does not point to an existing file`); `*` matches a
    /// name starting with `.` (a broken `.bad.json` refuses the configuration); a malformed class is
    /// `syntax error in pattern`. Third corpus (docs/monitoring.md): two prometheus.yml of
    /// kaizamm/prometheus-grafana@32de056 name rule files the repository does not have; promtool
    /// refuses them in these words. (config, promtool's verdict, the reason of a refusal)
    static let ruleFileCases: [(String, Bool, String?)] = [
        (#"{"rule_files": ["r/missing.json"]}"#, false, #""r/missing.json" does not point to an existing file"#),
        (#"{"rule_files": ["r/b?json"]}"#, false, #""r/b?json" does not point to an existing file"#),
        (#"{"rule_files": ["r/a?json"]}"#, true, nil),
        (#"{"rule_files": ["r/[a].json"]}"#, true, nil),
        (#"{"rule_files": ["r/\\a.json"]}"#, true, nil),
        (#"{"rule_files": ["h/*.json"]}"#, false, "could not parse expression"),
        (#"{"rule_files": ["r/[a.json"]}"#, false, "syntax error in pattern"),
        (#"{"rule_files": ["r/*.none"]}"#, true, nil),
        // absolute paths (third corpus: seven Docker setups' `/etc/prometheus/alerts.yml`): the simulator
        // reads none outside the scenario's folder; promtool's reason where it finds no such file, and a
        // `*` pattern that matches nothing loads
        (#"{"rule_files": ["/etc/clustersim-none/alerts.yml"]}"#, false, #""/etc/clustersim-none/alerts.yml" does not point to an existing file"#),
        (#"{"rule_files": ["/etc/clustersim-none/*.yml"]}"#, true, nil),
    ]

    func testRuleFilesGlobAndMustExistAsPromtoolSays() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/r", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/h", withIntermediateDirectories: true)
        let good = #"{"groups": [{"name": "g", "rules": [{"record": "x", "expr": "up"}]}]}"#
        write(good, to: dir + "/r/a.json")
        write(good, to: dir + "/h/good.json")
        write(#"{"groups": [{"name": "g", "rules": [{"record": "x", "expr": "up{"}]}]}"#, to: dir + "/h/.bad.json")
        let judge = Judge.promtool
        for (i, (config, expected, reason)) in Self.ruleFileCases.enumerated() {
            let file = "c\(i).json"
            write(config, to: dir + "/" + file)
            var tool: Bool?
            var said = "(promtool not asked: recorded verdict)"
            if judge.runs {
                // promtool reads rule files relative to the configuration's folder, as the loader does
                let (rc, out) = try ToolRun.run(try XCTUnwrap(PrometheusConfigTests.promtool()), ["check", "config", file], in: dir)
                (tool, said) = (rc == 0, out)
                if let reason, tool == false, judge.use == .decides { XCTAssertTrue(out.contains(reason), "\(config): promtool said \(out)") }
            }
            var errors: [ScenarioError] = []
            do { _ = try ScenarioLoader.load(text: promScenario(file), baseDirectory: dir, fileName: "s.json") } catch { errors = error.errors }
            judge.check(config, tool: tool, ours: errors.isEmpty, modelledVerdict: expected, newer: [:], detail: "promtool: \(said)\nours: \(errors)")
            if let reason {
                XCTAssertEqual(errors.count, 1, "\(config): \(errors)")
                XCTAssertTrue(errors.first?.message.contains(reason) ?? false, "\(config): \(errors)")
                // the rule file's own error is at its place in that file; the others at the name in prometheus.yml
                XCTAssertEqual(errors.first?.path, reason == "could not parse expression" ? "groups[0].rules[0].expr" : "rule_files[0]", "\(config): \(errors)")
            }
        }
        if case .unrecorded = judge.use { throw XCTSkip(judge.skipReason) }
    }

    /// A value of the wrong kind is refused in yaml.v2's words (decode.go terror), which amtool and
    /// promtool print: the YAML tag and the value, a value of more than 10 bytes shortened to its
    /// first 7 and "...". Third corpus (docs/alertmanager.md): SilentKn1ght/monitoring-stack@d351c00
    /// `alertmanager/alertmanager.yml` (`chat_id: __TELEGRAM_CHAT_ID__`) and
    /// tainguyenbp/prometheus-grafana@9d0a2a2 `alertmanager/config.yml` (`chat_id: < input chat_id >`)
    /// were refused as `cannot unmarshal string "__TELEGRAM_CHAT_ID__" into int64`.
    static let yamlKindCases: [(tool: String, text: String, path: String, message: String)] = [
        ("am", #"{"route": {"receiver": "t"}, "receivers": [{"name": "t", "telegram_configs": [{"bot_token": "b", "chat_id": "__TELEGRAM_CHAT_ID__"}]}]}"#,
         "receivers[0].telegram_configs[0].chat_id", "cannot unmarshal !!str `__TELEG...` into int64"),
        ("am", #"{"route": {"receiver": "t"}, "receivers": [{"name": "t", "telegram_configs": [{"bot_token": "b", "chat_id": "abcdefghij"}]}]}"#,
         "receivers[0].telegram_configs[0].chat_id", "cannot unmarshal !!str `abcdefghij` into int64"),
        ("am", #"{"route": {"receiver": "t"}, "receivers": [{"name": "t", "webhook_configs": [{"url": "http://x", "send_resolved": "maybe_not_really"}]}]}"#,
         "receivers[0].webhook_configs[0].send_resolved", "cannot unmarshal !!str `maybe_n...` into bool"),
        ("am", #"{"route": {"receiver": "t", "group_by": "abcdefghijklm"}, "receivers": [{"name": "t"}]}"#,
         "route.group_by", "cannot unmarshal !!str `abcdefg...` into []string"),
        ("rules", #"{"groups": [{"name": "g", "limit": "abcdefghijkl", "rules": []}]}"#, "groups[0].limit", "cannot unmarshal !!str `abcdefg...` into int"),
    ]

    func testWrongKindsAreWordedAsYamlV2ShortensThem() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (i, c) in Self.yamlKindCases.enumerated() {
            var errors: [ScenarioError]
            if c.tool == "am" {
                errors = AlertmanagerConfigTests.loaderErrors(c.text)
            } else {
                let d = Diagnostics()
                _ = RuleFileReader.parse(c.text, file: "r.json", d)
                errors = d.errors
            }
            XCTAssertEqual(errors.map(\.path), [c.path], "\(c.text): \(errors)")
            XCTAssertEqual(errors.first?.message, c.message, "\(c.text)")
            // the real tool, when it is the release modelled, prints the same words
            let judge = c.tool == "am" ? Judge.amtool : Judge.promtool
            guard judge.use == .decides, let tool = judge.path else { continue }
            let file = dir + "/k\(i).json"
            write(c.text, to: file)
            let (rc, out) = try ToolRun.run(tool, c.tool == "am" ? ["check-config", file] : ["check", "rules", file])
            XCTAssertNotEqual(rc, 0, out)
            XCTAssertTrue(out.contains(c.message), "\(c.text): \(judge.name) said \(out)")
        }
    }

    func testKeepEqualAndDropEqualRelabelAsPrometheus() {
        func rule(_ a: RelabelConfig.Action) -> RelabelConfig {
            var r = RelabelConfig()
            r.action = a; r.sourceLabels = ["a"]; r.targetLabel = "b"
            return r
        }
        let keep = rule(.keepequal), drop = rule(.dropequal)
        XCTAssertNotNil(RelabelConfig.process([MetricLabel("a", "1"), MetricLabel("b", "1")], [keep]))
        XCTAssertNil(RelabelConfig.process([MetricLabel("a", "1"), MetricLabel("b", "2")], [keep]))
        XCTAssertNil(RelabelConfig.process([MetricLabel("a", "1"), MetricLabel("b", "1")], [drop]))
        XCTAssertNotNil(RelabelConfig.process([MetricLabel("a", "1"), MetricLabel("b", "2")], [drop]))
    }

    // MARK: Consul service definitions (agent/config/config.go: mapstructure with unused keys refused)

    func testConsulRefusesUnknownKeysInsideNestedServiceStructs() throws {
        func svc(_ body: String) -> String { consulScenario(#"{"services": {"/shop/web": "# + body + "}}") }
        let p = "consul.services[\"/shop/web\"]"
        // ServiceWeights has passing and warning only
        assertSingleError(svc(#"{"service": {"name": "web", "weights": {"passing": 3, "warning": 2, "critical": 1}}}"#),
                          path: p + ".service.weights.critical", ["invalid config key service.weights.critical"])
        // managed proxies (connect.proxy) are gone: ServiceConnect has native and sidecar_service
        assertSingleError(svc(#"{"service": {"name": "web", "connect": {"proxy": {"config": {}}}}}"#),
                          path: p + ".service.connect.proxy", ["invalid config key service.connect.proxy"])
        // a sidecar_service is a service definition: upstreams go under its proxy
        assertSingleError(svc(#"{"service": {"name": "web", "connect": {"sidecar_service": {"upstreams": []}}}}"#),
                          path: p + ".service.connect.sidecar_service.upstreams", ["invalid config key service.connect.sidecar_service.upstreams"])
        assertSingleError(svc(#"{"service": {"name": "web", "tagged_addresses": {"lan": {"address": "10.0.0.1", "prot": 80}}}}"#),
                          path: p + ".service.tagged_addresses.lan.prot", ["invalid config key service.tagged_addresses.lan.prot"])
        // the documented shapes load (with warnings: not modelled)
        let ok = try XCTUnwrap(loadOK(svc(#"""
            {"service": {"name": "web", "port": 80, "weights": {"Passing": 3, "warning": 1},
             "tagged_addresses": {"lan": {"address": "10.0.0.1", "port": 80}, "virtual": {"address": "203.0.113.5", "port": 80}},
             "connect": {"sidecar_service": {"port": 21000, "check": {"tcp": "x:1", "interval": "10s"},
                                             "proxy": {"upstreams": [{"destination_name": "db", "local_bind_port": 9191, "mesh_gateway": {"mode": "local"}}]}}},
             "proxy": {"expose": {"checks": true, "paths": [{"path": "/m", "local_path_port": 8080, "listener_port": 21500}]}}}}
            """#)))
        XCTAssertEqual(ok.spec.consul?.services.first?.definitions.first?.name, "web")
    }

    /// Third corpus: luoyongquan/MicroS_Consul@860edf9 `consul.json` gives one service's `"Check"` as a
    /// list of one object. Consul's decode hook (lib/decode HookWeakDecodeFromSlice) reads a list of
    /// exactly one element as that element wherever a struct, a map or a single value is wanted; it was
    /// refused here ("expected an object").
    func testConsulReadsAListOfOneWhereItWantsOneValue() throws {
        func svc(_ body: String) -> String { consulScenario(#"{"services": {"/shop/web": "# + body + "}}") }
        let l = try XCTUnwrap(loadOK(svc(#"""
            {"services": [{"Name": "web", "Port": [8080], "Check": [{"HTTP": "http://127.0.0.1:8080/health", "Interval": ["10s"]}],
                           "weights": [{"passing": 2}]},
                          {"name": "api", "checks": [[{"tcp": "127.0.0.1:9", "interval": "5s"}]]}],
             "service": [{"name": ["db"], "check": [{"ttl": "30s"}]}]}
            """#)))
        let defs = try XCTUnwrap(l.spec.consul?.services.first?.definitions)
        XCTAssertEqual(defs.map(\.name), ["web", "api", "db"])
        XCTAssertEqual(defs[0].port, 8080)
        XCTAssertEqual(defs[0].checks.map(\.interval), [.seconds(10)])
        XCTAssertEqual(defs[1].checks.map(\.kind), [.tcp])
        XCTAssertEqual(defs[2].checks.map(\.kind), [.ttl])
        // a list of another length is left as a list, and refused where one value is wanted
        let p = "consul.services[\"/shop/web\"]"
        assertSingleError(svc(#"{"service": {"name": "web", "check": [{"ttl": "1s"}, {"ttl": "2s"}]}}"#),
                          path: p + ".service.check", ["expected an object"])
        assertSingleError(svc(#"{"service": {"name": "web", "port": []}}"#), path: p + ".service.port", ["port must be an integer"])
        // tags, checks and args are lists in Consul: a list of one stays a list of one
        let t = try XCTUnwrap(loadOK(svc(#"{"service": {"name": "web", "tags": ["a"], "checks": [{"args": ["true"], "interval": "5s"}]}}"#)))
        XCTAssertEqual(t.spec.consul?.services.first?.definitions.first?.tags, ["a"])
    }

    /// Third corpus: devopsftw/docker-influxdb@2377faa `consul.tpl.json` is an agent configuration with a
    /// service and `"datacenter": "${CONSUL_DC}"` (filled in by a script before use). Consul refuses to
    /// start with it (agent/config/builder.go: `datacenter cannot be "${consul_dc}". Please use only
    /// [a-z0-9-_]`); it loaded here, the datacenter being ignored as agent configuration.
    func testConsulRefusesAServiceFileWhoseAgentDatacenterIsNotAName() throws {
        func svc(_ body: String) -> String { consulScenario(#"{"services": {"/shop/web": "# + body + "}}") }
        assertSingleError(svc(#"{"datacenter": "${CONSUL_DC}", "data_dir": "/tmp/consul", "service": {"name": "influxdb", "port": 8086}}"#),
                          path: "consul.services[\"/shop/web\"].datacenter", [#"datacenter cannot be "${consul_dc}". Please use only [a-z0-9-_]"#])
        let l = try XCTUnwrap(loadOK(svc(#"{"datacenter": "DC-1", "service": {"name": "influxdb"}}"#)))
        XCTAssertEqual(l.spec.consul?.services.first?.definitions.first?.name, "influxdb")
    }

    // MARK: Marathon app files (marathon-lb's backends for Marathon 1.4 and 1.5+)

    func testMarathon14IgnoresTheFieldsMarathon15AddedAsItsReadsDo() throws {
        let app = #"""
            {"id": "/web", "cmd": "serve", "instances": 1,
             "container": {"type": "DOCKER", "portMappings": [{"containerPort": 81, "hostPort": 0}],
                           "docker": {"image": "nginx", "network": "BRIDGE", "portMappings": [{"containerPort": 80, "hostPort": 0}]}},
             "networks": [{"mode": "container/bridge"}]}
            """#
        let l = try XCTUnwrap(loadOK(marathonScenario(#"{"version": "1.4", "apps": [\#(app)]}"#)))
        let web = try XCTUnwrap(l.spec.marathon?.app("/web"))
        XCTAssertEqual(web.ports.map(\.containerPort), [80], "1.4 reads docker.portMappings only")
        XCTAssertEqual(web.networkMode, .bridge)
        for k in ["networks", "container.portMappings"] {
            XCTAssertEqual(l.warnings.filter { $0.contains("marathon.apps[0].\(k): unknown field") }.count, 1, "\(k): \(l.warnings)")
        }
        // 1.5+: both non-empty is refused (AppNormalization); an empty docker.portMappings yields
        let both = app.replacingOccurrences(of: #", "networks": [{"mode": "container/bridge"}]"#, with: "")
            .replacingOccurrences(of: #""network": "BRIDGE", "#, with: "")
        assertSingleError(marathonScenario(#"{"version": "1.10", "apps": [\#(both)], "groups": []}"#),
                          path: "marathon.apps[0].container.portMappings", ["cannot specify both portMappings and docker.portMappings"])
        let emptyDocker = #"""
            {"id": "/web", "cmd": "serve", "networks": [{"mode": "container/bridge"}],
             "container": {"type": "DOCKER", "portMappings": [{"containerPort": 81, "hostPort": 0}], "docker": {"image": "nginx", "portMappings": []}}}
            """#
        let l2 = try XCTUnwrap(loadOK(marathonScenario(#"{"version": "1.10", "apps": [\#(emptyDocker)]}"#)))
        XCTAssertEqual(l2.spec.marathon?.app("/web")?.ports.map(\.containerPort), [81])
    }
    /// A GET /v2/apps answer of Marathon 1.0-1.3 lists an app's ports twice, as "ports" and as
    /// "portDefinitions"; Marathon takes both when they give the same ports (1.4 Formats.scala, 1.5+
    /// AppValidation.validateOldAppAPI) and refuses them when they differ.
    func testMarathonTakesPortsAndPortDefinitionsThatListTheSamePorts() throws {
        func app(_ ports: String, _ defs: String) -> String {
            #"{"id": "/api", "cmd": "serve", "ports": \#(ports), "portDefinitions": \#(defs)}"#
        }
        for v in ["1.4", "1.10"] {
            let l = try XCTUnwrap(loadOK(marathonScenario(#"{"version": "\#(v)", "apps": [\#(app("[8080, 0]", #"[{"port": 8080, "protocol": "tcp"}, {}]"#))]}"#)))
            // the port 0 gets Marathon's lowest free service port (GroupManagerActor assignDynamicServicePorts)
            XCTAssertEqual(l.spec.marathon?.app("/api")?.ports.map(\.servicePort), [8080, 10000], v)
        }
        for (ports, defs) in [("[8080]", #"[{"port": 8081}]"#), ("[]", #"[{"port": 8080}]"#), ("[8080, 8081]", #"[{"port": 8080}]"#)] {
            assertSingleError(marathonScenario(#"{"version": "1.10", "apps": [\#(app(ports, defs))]}"#),
                              path: "marathon.apps[0].ports", ["cannot specify both ports and port definitions"])
        }
        assertSingleError(marathonScenario(#"{"version": "1.4", "apps": [\#(app("[1]", #"[{"port": 2}]"#))]}"#),
                          path: "marathon.apps[0].ports", ["You cannot specify both ports and port definitions"])
    }
    /// Third corpus: Azulinho/marathon-docker-compose-example@9a4e997 `marathon.json` gives the same URI
    /// as the deprecated "uris" and as "fetch". Marathon refuses both non-empty (1.4 Formats.scala "You
    /// cannot specify both uris and fetch fields"; 1.5+ AppValidation.validateOldAppAPI "may not be set in
    /// conjunction with fetch"); it loaded here.
    func testMarathonRefusesUrisWithFetch() throws {
        let app = #"{"id": "/web", "cmd": "serve", "uris": ["https://h/x.tgz"], "fetch": [{"uri": "https://h/x.tgz", "extract": true}]}"#
        assertSingleError(marathonScenario(#"{"version": "1.10", "apps": [\#(app)]}"#),
                          path: "marathon.apps[0].uris", ["may not be set in conjunction with fetch"])
        assertSingleError(marathonScenario(#"{"version": "1.4", "apps": [\#(app)]}"#),
                          path: "marathon.apps[0].uris", ["You cannot specify both uris and fetch fields"])
        // either alone, or one of them empty, loads
        for a in [#"{"id": "/web", "cmd": "serve", "uris": ["https://h/x.tgz"]}"#,
                  #"{"id": "/web", "cmd": "serve", "uris": [], "fetch": [{"uri": "https://h/x.tgz"}]}"#] {
            XCTAssertNotNil(loadOK(marathonScenario(#"{"version": "1.10", "apps": [\#(a)]}"#)), a)
        }
    }
    /// Fifth corpus: the DC/OS 2.2 and 1.13 docs' complete pod example (mesosphere/dcos-docs-site
    /// `deploying-services/pods/examples`) gives an endpoint `"protocol": ["HTTP"]`. network.raml types the
    /// items strings.Name, but Marathon's generated reader checks only the array's minItems (the type
    /// generator puts no constraint on an array's items) and PodsValidation only refuses a protocol listed
    /// twice, so Marathon takes it; it was refused here as not a valid name.
    func testMarathonPodEndpointProtocolsAreAnyStringsListedOnce() throws {
        func pod(_ protocols: String) -> String {
            #"{"version": "1.10", "apps": [{"id": "/p", "containers": [{"name": "web", "resources": {"cpus": 0.1, "mem": 32}, "#
                + #""exec": {"command": {"shell": "serve"}}, "endpoints": [{"name": "http", "hostPort": 0, "protocol": \#(protocols)}]}]}]}"#
        }
        for p in [#"["HTTP"]"#, #"["tcp", "UDP"]"#] {
            let l = try XCTUnwrap(loadOK(marathonScenario(pod(p))), p)
            XCTAssertEqual(l.spec.marathon?.app("/p")?.launchPorts.map(\.protocol), [p == #"["HTTP"]"# ? "HTTP" : "tcp,UDP"], p)
        }
        assertSingleError(marathonScenario(pod(#"["HTTP", "HTTP"]"#)), path: "marathon.apps[0].containers[0].endpoints[0].protocol",
                          ["listed twice", "Duplicate protocols"])
        assertSingleError(marathonScenario(pod("[]")), path: "marathon.apps[0].containers[0].endpoints[0].protocol", ["empty"])
    }
    /// Third corpus: dennis84/blah@87f4191 `blah-*/algo/chronos.json` schedule their jobs
    /// `R/3000-01-01T00:00:00Z/PT100000H` (never on their own; bin/chronos.sh starts them by hand).
    /// Joda's DateTime.parse reads the year 3000, so Chronos takes them; they were refused here
    /// ("not an ISO 8601 date-time ... between 1970 and 2200", said to be Chronos' 400). They load with
    /// a warning and never run; a start before 1970 loads too (it was refused as the simulator's limit).
    func testChronosTakesAStartAfter2200AndNeverRunsIt() throws {
        func job(_ schedule: String) -> String {
            ChronosInputTests.scenario(#"{"version": "3.x", "jobs": [{"name": "count", "schedule": "\#(schedule)", "cpus": "0.5", "mem": "1024", "command": "batch"}]}"#)
        }
        let l = try XCTUnwrap(loadOK(job("R/3000-01-01T00:00:00Z/PT100000H")))
        let s = try XCTUnwrap(l.spec.chronos?.jobs.first?.schedule)
        XCTAssertEqual(s.startMs, ChronosSchedule.latestStartMs)
        XCTAssertEqual(s.startBeyondRange, "3000-01-01T00:00:00Z")
        XCTAssertEqual(l.warnings.filter { $0.contains("chronos.jobs[0].schedule") && $0.contains("after 2200") }.count, 1, "\(l.warnings)")
        XCTAssertNotNil(loadOK(job("R/9999-12-31T23:59:59Z/P1Y")))
        // a start before 1970 loads (Joda reads years from 0001): the scheduler skips forward from it
        let early = try XCTUnwrap(loadOK(job("R/1960-01-01T00:00:00Z/PT1H"))?.spec.chronos?.jobs.first?.schedule)
        XCTAssertEqual(early.startMs, -315_619_200_000)
        XCTAssertEqual(try XCTUnwrap(loadOK(job("R/0001-01-01T00:00:00Z/P1M"))?.spec.chronos?.jobs.first?.schedule).period.months, 1)
    }

    /// The next occurrence after a time, found by galloping and bisection, is the one counting
    /// period by period finds, for calendar periods from a start centuries back.
    func testFirstOccurrenceAfterAFarPastStartIsTheCountedOne() throws {
        for (text, zone) in [("R/0001-01-31T10:00:00Z/P1M", nil), ("R/1900-03-01T02:30:00/P1D", "Europe/Berlin"), ("R/1969-12-31T00:00:00Z/P1Y2M", nil)] as [(String, String?)] {
            let s = try ChronosSchedule.parse(text, timeZone: zone).get()
            let now = ChronosSpec.defaultStartMs
            let k = s.firstIndex(after: -1, laterThan: now, origin: s.startMs!)
            XCTAssertGreaterThan(s.occurrence(k, origin: s.startMs!), now, text)
            XCTAssertLessThanOrEqual(s.occurrence(k - 1, origin: s.startMs!), now, text)
            XCTAssertEqual(s.firstIndex(after: k - 3, laterThan: now, origin: s.startMs!), k, text)
        }
    }
    /// A receiver refused for one of its fields (a telegram chat_id written as a placeholder string) is
    /// one error: the route that names it does not also get "undefined receiver".
    func testARefusedReceiverIsOneErrorNotAlsoAnUndefinedOne() {
        let errs = AlertmanagerConfigTests.loaderErrors(#"{"route": {"receiver": "tg"}, "receivers": [{"name": "tg", "telegram_configs": [{"bot_token": "B", "chat_id": "YOUR_CHAT_ID"}]}]}"#)
        XCTAssertEqual(errs.map(\.path), ["receivers[0].telegram_configs[0].chat_id"], "\(errs)")
    }
}
