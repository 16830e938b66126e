# sfmc-scan in a container: `docker build -t sfmc-scan .` then
#   docker run --rm -v "$PWD:/src:ro" sfmc-scan git /src
# Two stages: the build needs the -dev packages; the runtime image only the libraries.
FROM debian:12-slim AS build
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends build-essential cmake pkg-config git ca-certificates \
      libpcre2-dev libyaml-dev libjansson-dev libgit2-dev libssl-dev zlib1g-dev libdeflate-dev libarchive-dev libcurl4-openssl-dev libsqlite3-dev scdoc \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -B /build -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=Release \
 && cmake --build /build -j"$(nproc)" \
 && DESTDIR=/out cmake --install /build --prefix /usr

FROM debian:12-slim
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends libpcre2-8-0 libyaml-0-2 libjansson4 libgit2-1.5 \
      libssl3 zlib1g libdeflate0 libarchive13 libsqlite3-0 libcurl4 ca-certificates git \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin sfmc
COPY --from=build /out/usr/ /usr/
# Scanned checkouts are usually owned by another uid; libgit2 honours safe.directory.
RUN git config --system --add safe.directory '*'
USER sfmc
WORKDIR /src
ENTRYPOINT ["sfmc-scan"]
CMD ["--help"]
