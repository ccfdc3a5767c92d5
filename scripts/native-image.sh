#!/usr/bin/env bash
# Native executables of data-gen-service and analysis-service without Docker.
#
#   scripts/native-image.sh check    # default: set up GraalVM's builder from Maven Central and say what is missing
#   scripts/native-image.sh build    # the -Pnative build with a local native-image (needs a complete builder)
#
# GraalVM publishes its image builder on Maven Central (org.graalvm.nativeimage:svm and its dependencies: pointsto,
# objectfile, native-image-base, jdk.graal.compiler, ...). `check` copies them into target/native-tool/builder,
# makes target/native-tool/jdk, a private copy of the Temurin 25 JDK (the builder reads its helper libraries under
# java.home/lib/svm and the JDK's static libraries under java.home/lib/static), and starts the builder
# (com.oracle.svm.hosted.NativeImageGeneratorRunner) on that JDK's JVMCI for a one-class program. What the Maven
# artifacts do not contain, and a GraalVM or Mandrel distribution does, is then listed; the run exits 3 when any of
# it is missing:
#   - the JDK's static libraries libjava.a, libnio.a, libnet.a (lib/static/linux-amd64/glibc; the builder's first
#     error): stock OpenJDK builds (Debian's openjdk-17, Temurin 25) ship only the .so files, and no Debian package
#     of bookworm has them;
#   - the builder's C headers (lib/svm/clibraries/linux-amd64/include: svm_locale.h and
#     aarch64cpufeatures.h are the ones it asked for, with placeholder static libraries; empty placeholders for them
#     fail its C queries: "'svm_locale_props_t' undeclared"), and at link time the C libraries
#     GraalVM builds from the same sources (liblibchelper.a, libjvm.a): no Maven artifact carries them (the -sources
#     jars hold Java only) and no Debian package does.
# libreporterchelper.so (terminal width and peak RSS for the builder's progress report) is compiled here from a
# few lines of C; the builder refuses to start without it.
# STATIC_LIBS=DIR and CLIBRARIES=DIR copy those files in from a GraalVM/Mandrel 25.0 distribution of the same JDK
# update, after which the builder's own checks pass or name the next thing it needs.
#
# `build` runs the root pom's native profile with quarkus.native.graalvm-home: GRAALVM_HOME if it has
# bin/native-image (a GraalVM or Mandrel 25 distribution), else stops with the same list.
# Knobs: SVM_VERSION (25.0.2), BUILDER_JDK (/usr/lib/jvm/temurin-25-jdk-amd64), BUILDER_XMX (3g).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SVM_VERSION=${SVM_VERSION:-25.0.2}
BUILDER_JDK=${BUILDER_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
BUILDER_XMX=${BUILDER_XMX:-3g}
TOOL=$ROOT/target/native-tool
JDK=$TOOL/jdk
PLATFORM=linux-amd64

say() { printf '%s\n' "$*" >&2; }

build_with_graalvm() {
  local home=$1
  say "native-image: $("$home/bin/native-image" --version | head -1)"
  ./mvnw -B -Pnative -pl data-gen-service,analysis-service -am package -DskipTests \
    -Dquarkus.native.container-build=false -Dquarkus.native.graalvm-home="$home" \
    -Dquarkus.native.native-image-xmx="$BUILDER_XMX"
  ls -la data-gen-service/target/*-runner analysis-service/target/*-runner
}

ACTION=${1:-check}
case $ACTION in
  check) ;;
  build)
    if [[ -n ${GRAALVM_HOME:-} && -x ${GRAALVM_HOME}/bin/native-image ]]; then
      build_with_graalvm "$GRAALVM_HOME"
      exit 0
    fi
    say "GRAALVM_HOME (${GRAALVM_HOME:-unset}) has no bin/native-image; checking GraalVM's builder from Maven Central instead"
    ;;
  *) say "usage: $0 [check|build]"; exit 2 ;;
esac

[[ -x $BUILDER_JDK/bin/java ]] || { say "no JDK at $BUILDER_JDK (BUILDER_JDK)"; exit 2; }
"$BUILDER_JDK/bin/java" --list-modules | grep -q '^jdk.internal.vm.ci@' \
  || { say "$BUILDER_JDK has no JVMCI module (jdk.internal.vm.ci)"; exit 2; }

# 1. The builder's jars, resolved by Maven from a throw-away pom.
mkdir -p "$TOOL/resolve" "$TOOL/builder"
if [[ ! -f $TOOL/builder/.version || $(cat "$TOOL/builder/.version") != "$SVM_VERSION" ]]; then
  rm -f "$TOOL/builder"/*.jar
  cat > "$TOOL/resolve/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>native-tool</artifactId><version>0</version>
  <dependencies>
    <dependency><groupId>org.graalvm.nativeimage</groupId><artifactId>svm</artifactId><version>$SVM_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  JAVA_HOME=$BUILDER_JDK ./mvnw -q -B -f "$TOOL/resolve/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$TOOL/builder" -DincludeScope=runtime
  echo "$SVM_VERSION" > "$TOOL/builder/.version"
fi
COMPILER=$(ls "$TOOL"/builder/compiler-"$SVM_VERSION".jar)
MODULE_PATH=$(ls "$TOOL"/builder/*.jar | grep -v "/compiler-$SVM_VERSION.jar" | paste -sd: -)

# 2. The builder JDK: a private copy, so that lib/svm and lib/static can be filled without touching the system JDK.
if [[ ! -x $JDK/bin/java ]]; then
  rm -rf "$JDK"; cp -a "$BUILDER_JDK/." "$JDK"
fi
mkdir -p "$JDK/lib/svm/builder/lib" "$JDK/lib/static/$PLATFORM/glibc" "$JDK/lib/svm/clibraries/$PLATFORM"
if [[ ! -f $JDK/lib/svm/builder/lib/libreporterchelper.so ]]; then
  cat > "$TOOL/reporterchelper.c" <<'EOF'
#include <jni.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>
JNIEXPORT jint JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getTerminalWindowColumns0(JNIEnv *env, jclass c) {
  struct winsize w;
  return ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0 ? w.ws_col : -1;
}
JNIEXPORT jlong JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getPeakRSS0(JNIEnv *env, jclass c) {
  struct rusage u;
  return getrusage(RUSAGE_SELF, &u) == 0 ? (jlong) u.ru_maxrss * 1024 : -1;
}
EOF
  gcc -shared -fPIC -O2 -I"$JDK/include" -I"$JDK/include/linux" "$TOOL/reporterchelper.c" \
    -o "$JDK/lib/svm/builder/lib/libreporterchelper.so"
fi
[[ -n ${STATIC_LIBS:-} ]] && cp "$STATIC_LIBS"/*.a "$JDK/lib/static/$PLATFORM/glibc/"
[[ -n ${CLIBRARIES:-} ]] && cp -r "$CLIBRARIES/." "$JDK/lib/svm/clibraries/$PLATFORM/"

# 3. What a GraalVM distribution has and the Maven artifacts lack.
missing=()
for lib in java nio net; do
  [[ -f $JDK/lib/static/$PLATFORM/glibc/lib$lib.a ]] || missing+=("lib/static/$PLATFORM/glibc/lib$lib.a (JDK static library)")
done
for f in include/svm_locale.h include/aarch64cpufeatures.h; do
  [[ -f $JDK/lib/svm/clibraries/$PLATFORM/$f ]] || missing+=("lib/svm/clibraries/$PLATFORM/$f (GraalVM C helper)")
done

# 4. The builder on a one-class program: it either builds it or names what stops it.
exports=$TOOL/exports.args
targets=org.graalvm.nativeimage.builder,org.graalvm.nativeimage.base,org.graalvm.nativeimage.pointsto,org.graalvm.nativeimage.objectfile,jdk.graal.compiler,ALL-UNNAMED
: > "$exports"
for m in java.base jdk.internal.vm.ci jdk.graal.compiler jdk.management java.management jdk.jfr jdk.unsupported \
         jdk.internal.jvmstat java.xml java.logging jdk.net jdk.zipfs; do
  "$JDK/bin/java" --upgrade-module-path "$COMPILER" --describe-module "$m" 2>/dev/null | awk -v m="$m" -v t="$targets" \
    '$1=="contains"{print "--add-exports=" m "/" $2 "=" t} $1=="qualified"&&$2=="exports"{print "--add-exports=" m "/" $3 "=" t}' \
    >> "$exports"
done
mkdir -p "$TOOL/hello/classes" "$TOOL/hello/out"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello native"); } }\n' \
  > "$TOOL/hello/Hello.java"
"$JDK/bin/javac" --release 17 -d "$TOOL/hello/classes" "$TOOL/hello/Hello.java"
say "builder: svm $SVM_VERSION on $("$JDK/bin/java" -version 2>&1 | head -1)"
set +e
"$JDK/bin/java" -Xmx"$BUILDER_XMX" -XX:+UseParallelGC -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI \
  -XX:-UseJVMCICompiler -Xss10m -Dorg.graalvm.nativeimage.imagecode=buildtime -Dorg.graalvm.version="$SVM_VERSION" \
  -Djdk.internal.lambda.disableEagerInitialization=true -Dgraalvm.locatorDisabled=true \
  --enable-native-access=ALL-UNNAMED,org.graalvm.nativeimage.builder "@$exports" \
  -Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader \
  --module-path "$MODULE_PATH" --upgrade-module-path "$COMPILER" -Djdk.module.main=org.graalvm.nativeimage.builder \
  --module org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner \
  -imagecp "$TOOL/hello/classes" -H:Path="$TOOL/hello/out" -H:Name=hello -H:Class=Hello -H:CLibraryPath="$JDK/lib/svm/clibraries/$PLATFORM" \
  -H:ImageBuildID="$(cat /proc/sys/kernel/random/uuid)" > "$TOOL/hello/build.log" 2>&1
rc=$?
set -e
grep -v '^WARNING' "$TOOL/hello/build.log" | grep -E '^Error|^Missing|not found|search path|^Fatal|^>' | head -8 >&2 || true
ls -t "$TOOL"/hello/out/svm_err_*.md 2>/dev/null | head -1 | xargs -r grep -m1 -E 'not found|Missing' >&2 || true
if [[ $rc -eq 0 && -x $TOOL/hello/out/hello ]]; then
  say "builder works: $("$TOOL/hello/out/hello")"
else
  say "builder stopped (exit $rc), full log: $TOOL/hello/build.log"
fi
if ((${#missing[@]})); then
  say "missing from $JDK (no Maven artifact or Debian package provides them; see the header of this script):"
  printf '  %s\n' "${missing[@]}" >&2
  exit 3
fi
[[ $rc -eq 0 ]] || exit 4
[[ $ACTION == build ]] && say "build: needs a native-image driver; set GRAALVM_HOME to a GraalVM/Mandrel 25 distribution" && exit 4
exit 0
