# syntax=docker/dockerfile:1
# analysis-service: JVM image of the Quarkus fast-jar in analysis-service/target/quarkus-app.
# Build the application first, then the image, from the repository root:
#   ./mvnw -pl analysis-service -am package -DskipTests
#   docker build -f docker/analysis.Dockerfile -t tdlab/analysis-service:dev .
# (docker/compose.yaml does the second step.) Native variant: docker/analysis.native.Dockerfile.
FROM eclipse-temurin:17-jre-jammy

# fontconfig and a font: the figures (XChart, headless AWT) draw their text with them
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl fontconfig fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 185 tdlab \
 && useradd --uid 185 --gid 185 --home-dir /deployments --no-create-home --shell /usr/sbin/nologin tdlab

WORKDIR /deployments
# the fast-jar layout, dependencies first (they change least often)
COPY --chown=185:185 analysis-service/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185:185 analysis-service/target/quarkus-app/quarkus-run.jar /deployments/
COPY --chown=185:185 analysis-service/target/quarkus-app/app/ /deployments/app/
COPY --chown=185:185 analysis-service/target/quarkus-app/quarkus/ /deployments/quarkus/

USER 185
EXPOSE 8080
# JSON logs for log collectors; heap as a share of the container's memory limit
ENV TDLAB_LOG_JSON=true \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70"
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
  CMD curl -fsS http://localhost:8080/q/health/ready || exit 1
ENTRYPOINT ["java", "-jar", "/deployments/quarkus-run.jar"]
