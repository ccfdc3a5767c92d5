# syntax=docker/dockerfile:1
# trainer-service on NVIDIA's CUDA runtime image, for GPU nodes. Build the application with the cuda
# profile (ND4J's CUDA 11.6 backend), then the image, from the repository root:
#   ./mvnw -Pcuda -pl trainer-service -am package -DskipTests
#   docker build -f docker/trainer.Dockerfile -t tdlab/trainer-service:dev-cuda .
# The CUDA libraries (cudart, cuBLAS, cuSOLVER, ...) come from the base image, the driver from the
# node (NVIDIA container toolkit). A CUDA 11.x runtime of any minor version >= 11.6 works (same .so.11
# sonames): --build-arg BASE_IMAGE=nvidia/cuda:11.8.0-runtime-ubuntu22.04.
# The same Dockerfile packages a CPU build (plain ./mvnw package): it then runs on the CPU backend and
# a smaller base works too: --build-arg BASE_IMAGE=ubuntu:22.04 (what docker/compose.yaml does).
ARG BASE_IMAGE=nvidia/cuda:11.6.2-runtime-ubuntu20.04

# the Java runtime, taken from Temurin's image (glibc-compatible with the Ubuntu bases above)
FROM eclipse-temurin:17-jre AS jre

FROM ${BASE_IMAGE}
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH \
    LANG=C.UTF-8
COPY --from=jre /opt/java/openjdk /opt/java/openjdk

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl ca-certificates libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 185 tdlab \
 && useradd --uid 185 --gid 185 --home-dir /deployments --no-create-home --shell /usr/sbin/nologin tdlab

WORKDIR /deployments
COPY --chown=185:185 trainer-service/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185:185 trainer-service/target/quarkus-app/quarkus-run.jar /deployments/
COPY --chown=185:185 trainer-service/target/quarkus-app/app/ /deployments/app/
COPY --chown=185:185 trainer-service/target/quarkus-app/quarkus/ /deployments/quarkus/

USER 185
EXPOSE 8082
# JavaCPP unpacks ND4J's native libraries into its cache dir (writable /tmp, also under a read-only
# root file system); heap small, ND4J's arrays live off-heap (capped by javacpp maxbytes).
# JDK_JAVA_OPTIONS: the Vector API for the fast engine's kernels (dynamics-engine dev.tdlab.core.fast; without it they
# run as plain loops, 3-8x slower, and the automatic engine choice gives them only d <= 8).
ENV TDLAB_LOG_JSON=true \
    OMP_NUM_THREADS=1 \
    JDK_JAVA_OPTIONS="--add-modules=jdk.incubator.vector" \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=25 -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp"
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD curl -fsS http://localhost:8082/q/health/ready || exit 1
ENTRYPOINT ["java", "-jar", "/deployments/quarkus-run.jar"]
