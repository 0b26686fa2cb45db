# hookgen's image, FROM scratch over the root filesystem that `make image`
# prepares from pinned inputs (bin/image/rootfs/<arch>/: the static hookgen
# binary, Debian's CA certificates, passwd and group with argocd 999:999,
# plugin.yaml). It pulls nothing, and yields the same files as the OCI
# archive `make image` writes (docs/image.md):
#
#   make image
#   docker build --platform linux/amd64 -t hookgen .
#   buildah bud --isolation chroot -t hookgen .
#
# One image for both jobs hookgen has: the Config Management Plugin sidecar
# of argocd-repo-server (its entrypoint is Argo CD's cmp-server, which the
# repo-server's init container copies into /var/run/argocd), and the runner
# of generated Jobs, which call `hookgen run <action>` through PATH.
FROM scratch
ARG TARGETARCH
COPY bin/image/rootfs/${TARGETARCH}/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin
# 999 is Argo CD's uid; the runner runs as it too.
USER 999:999
ENTRYPOINT ["/var/run/argocd/argocd-cmp-server"]
