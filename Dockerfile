# The image of every Touyan service — one build, the service chosen by
# SERVICE: built on Debian 12 from Debian's packages, run on Debian 12 slim
# as an unprivileged user (10001, as the manifests expect). From the
# repository root:
#   docker build --build-arg SERVICE=personnel -t touyan/personnel:0.5.0 .
#   docker build --build-arg SERVICE=training  -t touyan/training:0.5.0 .
#   docker build --build-arg SERVICE=contest   -t touyan/contest:0.5.0 .
ARG SERVICE=personnel

FROM debian:12 AS build
ARG SERVICE
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      libabsl-dev libpqxx-dev prometheus-cpp-dev libssl-dev nlohmann-json3-dev \
      libgtest-dev libgmock-dev golang-github-gogo-googleapis-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    && cmake --build build --target "${SERVICE}_server" \
    && install -D "build/services/${SERVICE}/${SERVICE}_server" /out/server

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libgrpc++1.51 libprotobuf32 libabsl20220623 libpqxx-6.4 libpq5 \
      libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 touyan \
    && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin touyan
COPY --from=build /out/server /usr/local/bin/touyan-server
USER 10001:10001
# gRPC, the plaintext probe port, Prometheus metrics.
EXPOSE 50051 8081 9090
ENTRYPOINT ["/usr/local/bin/touyan-server"]
