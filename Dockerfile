# Container image for klachtenbus (used by docker-compose.yml).
FROM rust:1.89-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin klachtenbus

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --home /var/lib/klachtenbus --create-home klachtenbus
COPY --from=build /src/target/release/klachtenbus /usr/local/bin/klachtenbus
COPY config/default.toml /etc/klachtenbus/default.toml
COPY templates /usr/share/klachtenbus/templates
USER klachtenbus
WORKDIR /var/lib/klachtenbus
ENTRYPOINT ["klachtenbus", "--config", "/etc/klachtenbus/default.toml"]
CMD ["run"]
