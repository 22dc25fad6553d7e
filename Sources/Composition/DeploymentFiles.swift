/// The deployment files under `deploy/`, rendered from ``ServiceName`` (`sprocket deploy render`): the
/// compose file, the PostgreSQL init script, and the Kubernetes base (a manifest per process, the
/// kustomization, the configuration and the secrets template). A test fails when a committed file is
/// not what this renders.
public enum DeploymentFiles {
    /// Every file, by its path under `deploy/`.
    public static func render() -> [(path: String, text: String)] {
        var files = [
            ("docker-compose.yml", compose()), ("postgres-init.sql", postgresInit()),
            ("prometheus/prometheus.yml", prometheus()),
            ("k8s/base/kustomization.yaml", kustomization()), ("k8s/base/config.yaml", config()),
            ("k8s/base/secret.yaml", secret()),
        ]
        for service in ServiceName.startOrder {
            files.append(("k8s/base/\(service.rawValue).yaml", manifest(service.rawValue, database: true)))
        }
        files.append(("k8s/base/gateway.yaml", manifest("gateway", database: false)))
        files += [
            ("k8s/overlays/staging/kustomization.yaml", stagingOverlay()),
            ("k8s/overlays/production/kustomization.yaml", productionOverlay()),
            (
                "k8s/overlays/production/canary.yaml",
                processes.map { deployment($0.name, database: $0.database, track: "canary") }.joined(separator: "---\n")
            ),
        ]
        return files
    }

    /// Every process of a cluster: each service (with a database), then the gateway.
    static var processes: [(name: String, database: Bool)] { services.map { ($0, true) } + [("gateway", false)] }

    static var services: [String] { ServiceName.startOrder.map(\.rawValue) }

    /// `name=http://name:8080,…`: the gateway's upstreams inside a cluster network.
    static var upstreams: String { services.map { "\($0)=http://\($0):8080" }.joined(separator: ",") }

    /// The compose file's two replicas of each service, `name` and `name-2`.
    static let composeReplicas = ["", "-2"]

    /// The gateway's upstreams in the compose network: both replicas of every service.
    static var composeUpstreams: String {
        services.flatMap { service in composeReplicas.map { "\(service)=http://\(service)\($0):8080" } }
            .joined(separator: ",")
    }

    static var tokenIssuer: String { ServiceName.tokenIssuer?.rawValue ?? "" }

    /// Each service process's memory budget in MiB (SystemConfiguration's default for one service).
    static var memoryBudget: Int { SystemConfiguration().memoryBudget(alone: true) }

    static func postgresInit() -> String {
        "-- One database per service (docker-compose mounts this into PostgreSQL's init directory).\n"
            + services.map { "CREATE DATABASE \($0);\n" }.joined()
    }

    static func compose() -> String {
        var text = """
            # Sprocket in distributed mode: PostgreSQL, NATS with JetStream, two replicas of every service (NAME and
            # NAME-2, sharing its database: one can restart while the other serves), the gateway, and the demo data
            # loaded through it once everything is up.
            # Rendered by `sprocket deploy render` from the services' list: do not edit by hand.
            #   docker compose -f deploy/docker-compose.yml up -d --build     (or podman-compose … up -d)
            # The gateway answers on http://localhost:8080 (demo accounts: see `sprocket demo --help`).
            # Images: SPROCKET_IMAGE (built from deploy/Containerfile), POSTGRES_IMAGE and NATS_IMAGE; without a
            # registry, scripts/image builds all three locally and scripts/compose-check runs this file with them.
            # An admin of your own:
            #   docker compose -f deploy/docker-compose.yml exec \(tokenIssuer) sprocket users add --role admin \\
            #     --email you@example.com --password change-me-now --service-database postgres://sprocket:sprocket@postgres:5432/\(tokenIssuer)
            name: sprocket

            x-service: &service
              image: ${SPROCKET_IMAGE:-sprocket:latest}
              build:
                context: ..
                dockerfile: deploy/Containerfile
              restart: unless-stopped
              read_only: true
              tmpfs: [/tmp]
              environment: &environment
                SPROCKET_NATS: nats://nats:4222
                SPROCKET_CUSTOMERS_URL: http://\(tokenIssuer):8080
                SPROCKET_LOG_LEVEL: info
              healthcheck:
                test: ["CMD", "/usr/local/bin/sprocket", "health"]
                interval: 5s
                timeout: 4s
                retries: 12
              # The services retry PostgreSQL and NATS until they answer: no health-based ordering needed.
              depends_on: [postgres, nats]

            services:
              postgres:
                image: ${POSTGRES_IMAGE:-docker.io/library/postgres:15}
                environment:
                  POSTGRES_USER: sprocket
                  POSTGRES_PASSWORD: sprocket
                volumes:
                  - postgres-data:/var/lib/postgresql/data
                  - ./postgres-init.sql:/docker-entrypoint-initdb.d/10-databases.sql:ro
                healthcheck:
                  test: ["CMD-SHELL", "pg_isready -U sprocket"]
                  interval: 5s
                  timeout: 3s
                  retries: 12

              nats:
                image: ${NATS_IMAGE:-docker.io/library/nats:2.10-alpine}
                command: ["-js", "-sd", "/data", "-m", "8222"]
                volumes:
                  - nats-data:/data
                healthcheck:
                  test: ["CMD", "wget", "-q", "-O", "-", "http://127.0.0.1:8222/healthz"]
                  interval: 5s
                  timeout: 3s
                  retries: 12

            """
        for service in ServiceName.startOrder {
            for replica in composeReplicas {
                text += composeService(service, replica: replica)
            }
        }
        text += """

              gateway:
                <<: *service
                command: ["serve", "--service", "gateway"]
                environment:
                  SPROCKET_UPSTREAMS: \(composeUpstreams)
                ports:
                  - "${SPROCKET_GATEWAY_PORT:-8080}:8080"
                depends_on: [\(services.flatMap { service in composeReplicas.map { service + $0 } }.joined(separator: ", "))]

              # Once: the demo admin in the accounts database, then the demo through the gateway (it waits for
              # the services and their events).
              demo:
                <<: *service
                restart: "no"
                healthcheck: { disable: true }
                command:
                  - demo
                  - --gateway
                  - http://gateway:8080
                  - --issuer-database
                  - postgres://sprocket:sprocket@postgres:5432/\(tokenIssuer)
                depends_on: [gateway]

              # Every process's /metrics, with the alert rules (deploy/prometheus); http://localhost:9090.
              prometheus:
                image: ${PROMETHEUS_IMAGE:-docker.io/prom/prometheus:v2.53.0}
                command: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
                volumes:
                  - ./prometheus:/etc/prometheus:ro
                  - prometheus-data:/prometheus
                ports:
                  - "${SPROCKET_PROMETHEUS_PORT:-9090}:9090"
                depends_on: [gateway]

            volumes:
              postgres-data:
              nats-data:
              prometheus-data:

            """
        return text
    }

    /// One replica of `service` in the compose file (`replica`: "" or "-2"); both use its database.
    static func composeService(_ service: ServiceName, replica: String) -> String {
        let name = service.rawValue
        var text = """

              \(name)\(replica):
                <<: *service
                command: ["serve", "--service", "\(name)"]
                environment:
                  <<: *environment
                  SPROCKET_DATABASE: postgres://sprocket:sprocket@postgres:5432/\(name)

            """
        for option in service.module.options where option.deployed {
            text += "      \(option.variable): \(option.defaultValue)\n"
        }
        return text
    }

    /// Prometheus in the compose network: every process's /metrics, and the alert rules beside it.
    static func prometheus() -> String {
        """
        # Prometheus scraping Sprocket in deploy/docker-compose.yml's network (every process serves /metrics on
        # its port 8080), with the alert rules beside it (alerts.yml, written by hand). Rendered by
        # `sprocket deploy render`: do not edit by hand. For Kubernetes, scrape the pods labelled
        # app.kubernetes.io/name the same way (port `http`, path /metrics).
        global:
          scrape_interval: 10s
          evaluation_interval: 10s
        rule_files:
          - alerts.yml
        scrape_configs:
          - job_name: sprocket
            metrics_path: /metrics
            static_configs:
              - targets:

        """
            + (["gateway"] + services.flatMap { service in composeReplicas.map { service + $0 } })
            .map { "          - \($0):8080\n" }.joined()
    }
}
