# syntax=docker/dockerfile:1
#
# One image for both jobs hookgen has: the Config Management Plugin sidecar
# of argocd-repo-server (its entrypoint is Argo CD's cmp-server, which the
# repo-server's init container copies into /var/run/argocd), and the runner
# of generated Jobs, which call `hookgen run <action>` explicitly.
#
#   docker build --build-arg VERSION=v0.1.0 --build-arg COMMIT=$(git rev-parse --short HEAD) -t ghcr.io/hookgen/hookgen:v0.1.0 .

# golang:1.26
FROM golang:1.26@sha256:9edf71320ef8a791c4c33ec79f90496d641f306a91fb112d3d060d5c1cee4e20 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/hookgen/hookgen/plugin.version=${VERSION} -X github.com/hookgen/hookgen/plugin.commit=${COMMIT}" \
      -o /out/hookgen . \
 && /out/hookgen version

# gcr.io/distroless/static-debian12:nonroot
FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /out/hookgen /usr/local/bin/hookgen
COPY plugin.yaml /home/argocd/cmp-server/config/plugin.yaml
# 999 is Argo CD's uid; the runner runs as it too.
USER 999:999
ENV HOOKGEN_CONFIG_DIR=/home/argocd/hookgen
ENTRYPOINT ["/var/run/argocd/argocd-cmp-server"]
