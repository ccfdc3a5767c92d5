# syntax=docker/dockerfile:1
# data-gen-service as a native executable (GraalVM/Mandrel), from data-gen-service/target/*-runner.
# Build it with the native profile (inside Quarkus' Mandrel builder container, so Docker is needed):
#   ./mvnw -Pnative -pl data-gen-service -am package -DskipTests
#   docker build -f docker/data-gen.native.Dockerfile -t tdlab/data-gen-service:dev-native .
# Not built on the project's build machines (no native-image there). Health: the probes of k8s/ or
# the compose healthcheck (this base image has no curl).
FROM quay.io/quarkus/quarkus-micro-image:2.0
WORKDIR /work/
RUN chown 1001:root /work && chmod g+rwX /work
COPY --chown=1001:root data-gen-service/target/*-runner /work/application
USER 1001
EXPOSE 8081
ENV TDLAB_LOG_JSON=true
ENTRYPOINT ["./application", "-Dquarkus.http.host=0.0.0.0"]
