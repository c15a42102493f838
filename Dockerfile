# The amzpay emulator as a container image: `docker build -t amzpay-emulator .`
# See docs/docker.md (running it, using it as a CI service container, what is tested).

# Build stage: the release binary. Templates and assets of the hosted pages are compiled into it.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# A build context has no .git: pass the commit for `amzpay --version`
# (docker build --build-arg AMZPAY_BUILD_COMMIT=$(git rev-parse --short=12 HEAD) .).
ARG AMZPAY_BUILD_COMMIT=unknown
ENV AMZPAY_BUILD_COMMIT=${AMZPAY_BUILD_COMMIT}
RUN cargo build --release --locked -p amzpay-cli \
    && install -m 0755 target/release/amzpay /usr/local/bin/amzpay

# Runtime stage: the binary, OpenSSL's runtime library (request signing uses it), a user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin amzpay \
    && install -d -o amzpay -g amzpay -m 0700 /data
COPY --from=build /usr/local/bin/amzpay /usr/local/bin/amzpay
USER amzpay
# The database, the generated CA and certificates, keys and the admin token.
VOLUME /data
ENV AMZPAY_DATA_DIR=/data
ENV AMZPAY_LISTEN=0.0.0.0:8443
EXPOSE 8443
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
    CMD ["amzpay", "emulator", "ping", "--url", "https://localhost:8443"]
ENTRYPOINT ["amzpay"]
CMD ["emulator", "serve"]
