/// The Kubernetes files of ``DeploymentFiles``: the base (a manifest per process, the kustomization, the
/// configuration and the secrets template) and the staging and production overlays.
extension DeploymentFiles {
    /// Staging: the base in its own namespace, with debug logs; the delivery workflow sets the image.
    static func stagingOverlay() -> String {
        """
        # Rendered by `sprocket deploy render`: do not edit by hand (the delivery workflow edits its image).
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namespace: sprocket-staging
        resources:
          - ../../base
        images:
          - name: sprocket
            newName: registry.example.com/sprocket
            newTag: latest
        patches:
          - target:
              kind: ConfigMap
              name: sprocket-config
            patch: |-
              - op: replace
                path: /data/SPROCKET_LOG_LEVEL
                value: debug

        """
    }

    /// Production: the base, and a canary Deployment per process (no replicas until the delivery workflow
    /// starts a release's canary); `sprocket` is the stable image, `sprocket-canary` the release on trial.
    static func productionOverlay() -> String {
        """
        # Rendered by `sprocket deploy render`: do not edit by hand (the delivery workflow edits the images).
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namespace: sprocket
        resources:
          - ../../base
          - canary.yaml
        images:
          - name: sprocket
            newName: registry.example.com/sprocket
            newTag: latest
          - name: sprocket-canary
            newName: registry.example.com/sprocket
            newTag: latest

        """
    }

    static func kustomization() -> String {
        """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        labels:
          - pairs:
              app.kubernetes.io/part-of: sprocket
            includeSelectors: false
        images:
          - name: sprocket
            newName: registry.example.com/sprocket
            newTag: latest
        resources:
          - config.yaml
          - secret.yaml

        """ + (services + ["gateway"]).map { "  - \($0).yaml\n" }.joined()
    }

    static func secret() -> String {
        """
        # Example only: replace with the connection strings of your PostgreSQL (e.g. from the CloudNativePG
        # operator's generated secrets) before deploying. One database per service.
        apiVersion: v1
        kind: Secret
        metadata:
          name: sprocket-databases
        type: Opaque
        stringData:

        """
            + services.map {
                "  \($0): postgres://sprocket:change-me@sprocket-pg-rw.databases.svc.cluster.local:5432/\($0)\n"
            }.joined()
    }

    static func config() -> String {
        var text = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: sprocket-config
            data:
              SPROCKET_HOST: "0.0.0.0"
              SPROCKET_PORT: "8080"
              SPROCKET_NATS: nats://nats.nats.svc.cluster.local:4222
              SPROCKET_CUSTOMERS_URL: http://\(tokenIssuer):8080
              SPROCKET_UPSTREAMS: \(upstreams)
              SPROCKET_CURRENCY: EUR

            """
        for service in ServiceName.startOrder where service.module.options.contains(where: \.deployed) {
            text += "  # \(service.rawValue)\n"
            for option in service.module.options where option.deployed {
                text += "  \(option.variable): \(option.defaultValue)\n"
            }
        }
        text += """
              SPROCKET_LOG_LEVEL: info
              # Stopping (docs/VERSIONING.md, "Rolling restarts"): the preStop hook waits 5 s while the pod leaves
              # the Services' endpoints; on SIGTERM /health/ready answers 503 for the drain delay while requests
              # are still served, then the server stops listening and the work under way has the grace period to
              # finish; terminationGracePeriodSeconds (35) covers all three.
              SPROCKET_DRAIN_DELAY: "3"
              SPROCKET_SHUTDOWN_GRACE: "20"
              # Each process plans for this many MiB (half for its database caches); the containers' memory
              # limit is a quarter above it.
              SPROCKET_MEMORY_BUDGET: "\(Self.memoryBudget)"
              # The pod network: services believe X-Forwarded-For from the gateway pods (for login throttling per
              # client). Set it to your cluster's pod CIDR.
              SPROCKET_TRUSTED_PROXIES: 10.0.0.0/8

            """
        return text
    }

    /// A Deployment, Service, PodDisruptionBudget and HorizontalPodAutoscaler for process `name`.
    static func manifest(_ name: String, database: Bool) -> String {
        deployment(name, database: database, track: "stable") + "---\n" + rest(name)
    }

    /// Process `name`'s Deployment of `track` (`stable`, two replicas; `canary`, none until a release's
    /// canary is started: the Services send it its share of requests, as they select no track).
    static func deployment(_ name: String, database: Bool, track: String) -> String {
        let databaseEnvironment =
            database
            ? """

                        - name: SPROCKET_DATABASE
                          valueFrom:
                            secretKeyRef:
                              name: sprocket-databases
                              key: \(name)
            """ : ""
        let canary = track == "canary"
        return """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: \(canary ? "\(name)-canary" : name)
              labels:
                app.kubernetes.io/name: \(name)
                app.kubernetes.io/track: \(track)
            spec:
              replicas: \(canary ? 0 : 2)
              # A rolling update starts the new pod and waits for it to be ready before it stops an old one.
              strategy:
                type: RollingUpdate
                rollingUpdate:
                  maxUnavailable: 0
                  maxSurge: 1
              minReadySeconds: 5
              selector:
                matchLabels:
                  app.kubernetes.io/name: \(name)
                  app.kubernetes.io/track: \(track)
              template:
                metadata:
                  labels:
                    app.kubernetes.io/name: \(name)
                    app.kubernetes.io/track: \(track)
                spec:
                  securityContext:
                    runAsNonRoot: true
                    runAsUser: 10001
                    runAsGroup: 10001
                  # preStop (5 s) + SPROCKET_DRAIN_DELAY (3 s) + SPROCKET_SHUTDOWN_GRACE (20 s), with room to spare.
                  terminationGracePeriodSeconds: 35
                  containers:
                    - name: \(name)
                      image: \(canary ? "sprocket-canary" : "sprocket")
                      args: ["serve", "--service", "\(name)"]
                      ports:
                        - name: http
                          containerPort: 8080
                      envFrom:
                        - configMapRef:
                            name: sprocket-config
                      env:
                        - name: SPROCKET_SERVICE
                          value: \(name)\(databaseEnvironment)
                      lifecycle:
                        # The image has no shell: sprocket itself waits while the endpoints drop the pod.
                        preStop:
                          exec:
                            command: ["/usr/local/bin/sprocket", "wait", "5"]
                      # Ready only when migrated, connected and not draining; a draining pod fails at the next
                      # probe (2 s), within its drain delay.
                      readinessProbe:
                        httpGet:
                          path: /health/ready
                          port: http
                        periodSeconds: 2
                        failureThreshold: 1
                        successThreshold: 1
                      livenessProbe:
                        httpGet:
                          path: /health/live
                          port: http
                        initialDelaySeconds: 5
                        periodSeconds: 10
                        failureThreshold: 3
                      resources:
                        requests:
                          cpu: 100m
                          memory: \(Self.memoryBudget)Mi
                        limits:
                          memory: \(Self.memoryBudget * 5 / 4)Mi
                      securityContext:
                        allowPrivilegeEscalation: false
                        readOnlyRootFilesystem: true
                        capabilities:
                          drop: ["ALL"]

            """
    }

    /// Process `name`'s Service (every track), PodDisruptionBudget and HorizontalPodAutoscaler.
    static func rest(_ name: String) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
          labels:
            app.kubernetes.io/name: \(name)
        spec:
          selector:
            app.kubernetes.io/name: \(name)
          ports:
            - name: http
              port: 8080
              targetPort: http
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: \(name)
        spec:
          minAvailable: 1
          selector:
            matchLabels:
              app.kubernetes.io/name: \(name)
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: \(name)
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: \(name)
          minReplicas: 2
          maxReplicas: 10
          metrics:
            - type: Resource
              resource:
                name: cpu
                target:
                  type: Utilization
                  averageUtilization: 70

        """
    }
}
