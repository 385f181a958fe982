# Sellbridge container image: the Linux single executable (npm run package) on a Debian minbase.
#
#   npm run package && scripts/build-base-image.sh && podman build -t localhost/sellbridge .
#
# BASE is any glibc Debian/Ubuntu image with libstdc++ and CA certificates: localhost/sellbridge-base (built from
# Debian packages by scripts/build-base-image.sh, no registry needed) or, where a registry is reachable,
# docker.io/library/debian:bookworm-slim.
ARG BASE=localhost/sellbridge-base:latest
FROM ${BASE}

RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/sellbridge --no-create-home --shell /usr/sbin/nologin sellbridge \
 && install -d -o sellbridge -g sellbridge -m 0750 /var/lib/sellbridge \
 && install -d -m 0755 /etc/sellbridge

COPY --chmod=0755 release/sellbridge-linux-x64 /usr/local/bin/sellbridge

# Configuration: SELLBRIDGE_* environment variables, and /etc/sellbridge/sellbridge.yaml when mounted
# (read from the working directory). The store defaults to SQLite in the volume; set SELLBRIDGE_STORE_URL to
# postgres://... to run several workers.
# MALLOC_ARENA_MAX: two glibc malloc arenas, not eight per core (resident memory; docs/deploy.md).
ENV SELLBRIDGE_STORE_URL=sqlite:/var/lib/sellbridge/sellbridge.db \
    MALLOC_ARENA_MAX=2 \
    SELLBRIDGE_SERVER_HOST=0.0.0.0 \
    SELLBRIDGE_SERVER_PORT=8080 \
    SELLBRIDGE_LOG_FORMAT=json
WORKDIR /etc/sellbridge
VOLUME ["/var/lib/sellbridge"]
EXPOSE 8080
USER sellbridge

# /healthz without curl in the image: bash's /dev/tcp. Worker-only containers (no HTTP) override it (compose.yaml).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SELLBRIDGE_SERVER_PORT:-8080} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["/usr/local/bin/sellbridge"]
CMD ["run"]
