# socks5d and mcpctl in a container: a self-contained build (scripts/publish) on the runtime-deps image, as a
# non-root user, happy with a read-only root file system. NOT built on the project's build machine (it has no
# Docker daemon); see docs/deployment.md, "Container".
#
# The base images are arguments: the .NET 10 SDK image and the .NET 10 runtime-deps image (Microsoft publishes
# them as dotnet/sdk:10.0 and dotnet/runtime-deps:10.0 on its container registry; use those or your mirror's):
#
#   docker build --build-arg SDK_IMAGE=REGISTRY/dotnet/sdk:10.0 \
#                --build-arg RUNTIME_IMAGE=REGISTRY/dotnet/runtime-deps:10.0 -t socks5d .
#   docker run -d --name socks5d --read-only --stop-timeout 45 -p 1080:1080 -p 9464:9464 \
#                -v socks5d-state:/var/lib/socks5d socks5d
#   docker exec -it socks5d mcpctl add-user alice
#
# --platform linux/arm64 (or linux/amd64) picks the binary's architecture; the SDK runs on the build machine's own.
ARG SDK_IMAGE
ARG RUNTIME_IMAGE

FROM --platform=$BUILDPLATFORM ${SDK_IMAGE} AS build
ARG TARGETARCH
WORKDIR /src
# Only what the two executables are built from (.dockerignore keeps the rest, bin/ and obj/ out of the context).
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
COPY scripts/publish scripts/publish
COPY src/ src/
RUN --mount=type=cache,target=/root/.nuget/packages \
    set -eu; \
    case "${TARGETARCH:-amd64}" in \
        amd64) rid=linux-x64 ;; \
        arm64) rid=linux-arm64 ;; \
        *) echo "socks5d images are built for amd64 and arm64, not ${TARGETARCH}" >&2; exit 1 ;; \
    esac; \
    scripts/publish --rid "$rid" --output /out; \
    mkdir -p /rootfs/usr/local/bin /rootfs/var/lib/socks5d; \
    mv "/out/$rid/socks5d" "/out/$rid/mcpctl" /rootfs/usr/local/bin/; \
    chmod 0755 /rootfs/usr/local/bin/socks5d /rootfs/usr/local/bin/mcpctl; \
    chmod 0700 /rootfs/var/lib/socks5d

FROM ${RUNTIME_IMAGE}
# The binaries belong to root (the service cannot change them); the state directory (users file, credentials log)
# belongs to uid 1654, the runtime images' unprivileged "app" user, which socks5d runs as.
COPY --from=build /rootfs/usr/local/bin/ /usr/local/bin/
# Copied as a child of /var/lib/ so that the directory itself (mode 0700) comes along, not only its (empty) contents.
COPY --from=build --chown=1654:1654 /rootfs/var/lib/ /var/lib/
# The only place socks5d writes to: with --read-only this volume is the whole writable state. Access log and
# diagnostics go to standard output and standard error (docker logs).
VOLUME ["/var/lib/socks5d"]
ENV STATE_DIRECTORY=/var/lib/socks5d
USER 1654:1654
# 1080: SOCKS5. 9464: Prometheus metrics (/metrics). MCP stays on the container's loopback, 127.0.0.1:8080, where
# `docker exec socks5d mcpctl ...` reaches it as the same user; it is not exposed.
EXPOSE 1080/tcp 9464/tcp
# SIGTERM drains open sessions for --drain-timeout (30 s): give `docker stop` more than that (--stop-timeout 45).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s CMD ["/usr/local/bin/mcpctl", "metrics"]
ENTRYPOINT ["/usr/local/bin/socks5d"]
# Arguments given to `docker run IMAGE ...` replace these; SOCKS5D_* variables (-e) add to them (socks5d(8), CONFIGURATION).
CMD ["--users-file", "/var/lib/socks5d/users", "--credentials-log", "/var/lib/socks5d/credentials.log", "--metrics-listen", "0.0.0.0:9464"]
