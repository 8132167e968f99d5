# The gmsa-operator image: `docker build -t gmsa-operator:latest .`, then `kubectl apply -k config/default`
# (set another image with `cd config/default && kustomize edit set image controller=<registry>/gmsa-operator:<tag>`).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so the layer is reused while only sources change.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Entities/GmsaOperator.Entities.csproj src/Entities/
COPY src/Webhooks/GmsaOperator.Webhooks.csproj src/Webhooks/
COPY src/Operator/GmsaOperator.Operator.csproj src/Operator/
RUN dotnet restore src/Operator/GmsaOperator.Operator.csproj -r linux-x64 -p:PublishReadyToRun=true
COPY src/ src/
COPY hack/control-plane-build.sh hack/
# Same flags as `make publish` (what `make bench` measures): ReadyToRun code, framework-dependent on the aspnet image.
RUN dotnet publish src/Operator/GmsaOperator.Operator.csproj -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      --no-restore -o /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_gcServer=0
# The base image's non-root `app` user, by number so the kubelet can verify runAsNonRoot.
USER $APP_UID
EXPOSE 9443 8081
ENTRYPOINT ["dotnet", "gmsa-operator.dll"]
CMD ["run"]
