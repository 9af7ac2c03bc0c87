# Both images from one build stage (the silo and the memgrid CLI share every project but their own).
# memgrid is precompiled (ReadyToRun): a short run's start-up CPU on its embedded silo 3.4 → 2.2 s, the
# same samples; the silo is not (it compiles fully optimised up front, which would keep the precompiled code).
# From the repository root:
#   docker build --target silo    -t memristorgrid/silo:dev .
#   docker build --target memgrid -t memristorgrid/memgrid:dev .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY engine/ engine/
COPY grain-interfaces/ grain-interfaces/
COPY grains/ grains/
COPY hosting/ hosting/
COPY profiles/ profiles/
COPY silo/ silo/
COPY client/ client/
RUN dotnet publish silo/MemristorGrid.Silo.csproj -c Release -r linux-x64 --self-contained false -o /app/silo \
 && dotnet publish client/MemristorGrid.Client.csproj -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o /app/memgrid

# The memgrid CLI (runs jobs against a cluster with --gateway/--redis, or on its embedded silo).
# ASP.NET Core runtime: the embedded and standalone silos serve their web host (hosting/Web) with Kestrel.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS memgrid
WORKDIR /app
COPY --from=build /app/memgrid ./
COPY models/ /app/models/
ENV DOTNET_EnableDiagnostics=0
# Outputs go to a mounted volume (e.g. --out /data/run-1); plots need a writable /tmp for the bundled font.
USER $APP_UID
ENTRYPOINT ["dotnet", "memgrid.dll"]
CMD ["--help"]

# A MemristorGrid silo.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS silo
WORKDIR /app
COPY --from=build /app/silo ./
# Silo-to-silo, gateway and web (/healthz, /ready, /metrics, /dashboard, /jobs) ports: ClusterSettings' defaults.
ENV MEMGRID_SILO_PORT=11111 MEMGRID_GATEWAY_PORT=30000 MEMGRID_HEALTH_PORT=8080 DOTNET_EnableDiagnostics=0
EXPOSE 11111 30000 8080
# The image's unprivileged user; nothing is written outside /tmp (mount an emptyDir there when the
# root filesystem is read-only).
USER $APP_UID
ENTRYPOINT ["dotnet", "MemristorGrid.Silo.dll"]
