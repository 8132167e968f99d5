# The gmsa-operator image: `docker build -t gmsa-operator:latest .`, then `kubectl apply -k config/default`
# (set another image with `cd config/default && kustomize edit set image controller=<registry>/gmsa-operator:<tag>`).
# Without a Docker daemon or registry access, `make image` builds it with buildah on local equivalents of the two
# base images (hack/image-bases.sh), passed as SDK_IMAGE and RUNTIME_IMAGE.
# NativeAOT, as `make publish-aot` builds it and `make bench` measures it: ~40 MB resident idle on an empty cluster,
# start to /readyz under a second.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0

FROM ${SDK_IMAGE} AS build
# NativeAOT links with the platform toolchain; installed unless the base image already has it.
RUN (command -v clang && test -f /usr/include/zlib.h) >/dev/null || \
    (apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*)
WORKDIR /src
# Restore first, from the project files only, so the layer is reused while only sources change.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Entities/GmsaOperator.Entities.csproj src/Entities/
COPY src/Webhooks/GmsaOperator.Webhooks.csproj src/Webhooks/
COPY src/Operator/GmsaOperator.Operator.csproj src/Operator/
COPY src/Operator/Runtime/GmsaOperator.Runtime.csproj src/Operator/Runtime/
RUN dotnet restore src/Operator/GmsaOperator.Operator.csproj -r linux-x64 -p:PublishAot=true
COPY src/ src/
RUN dotnet publish src/Operator/GmsaOperator.Operator.csproj -c Release -r linux-x64 -p:PublishAot=true --no-restore -o /app

# runtime-deps: libc, OpenSSL and CA certificates, no .NET runtime (the executable carries its own).
FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /app/gmsa-operator ./
# The base image's non-root `app` user, by number so the kubelet can verify runAsNonRoot.
USER $APP_UID
EXPOSE 9443 8081
ENTRYPOINT ["/app/gmsa-operator"]
CMD ["run"]
