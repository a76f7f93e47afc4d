# The image of every Touyan service — one build stage for all four (cached
# between them), the service chosen by SERVICE: built on Debian 12 from
# Debian's packages, run on Debian 12 slim as an unprivileged user (10001, as
# the manifests expect). scripts/release-images.sh builds all four, pushes
# them and pins their digests in deploy/release; by hand, from the root:
#   buildah bud --build-arg SERVICE=personnel -t touyan/personnel:0.5.0 .
#   (likewise training, contest, incentive; docker build takes the same flags)
ARG SERVICE=personnel

FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      libabsl-dev libpqxx-dev prometheus-cpp-dev libssl-dev nlohmann-json3-dev libxlsxwriter-dev libcairo2-dev \
      libgtest-dev libgmock-dev golang-github-gogo-googleapis-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    && cmake --build build --target personnel_server training_server contest_server incentive_server \
    && for s in personnel training contest incentive; do \
         install -D "build/services/$s/${s}_server" "/out/$s"; done

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libgrpc++1.51 libprotobuf32 libabsl20220623 libpqxx-6.4 libpq5 \
      libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libssl3 libxlsxwriter4 libcairo2 fonts-noto-cjk ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 touyan \
    && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin touyan
ARG SERVICE
COPY --from=build /out/${SERVICE} /usr/local/bin/touyan-server
USER 10001:10001
# gRPC, the plaintext probe port, Prometheus metrics.
EXPOSE 50051 8081 9090
ENTRYPOINT ["/usr/local/bin/touyan-server"]
