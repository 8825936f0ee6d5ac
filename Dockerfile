# The impact executable in a container, for the Kubernetes manifests and anything else that runs
# images (docs/deployment.md). Build from the repository's root:
#   docker build --build-arg SOURCE_REVISION=$(git rev-parse HEAD) -t impactmodel:0.1.0 .
# (the commit goes into the engine version every shard and run carries, so shards of two builds never merge)
# Run:  docker run --rm -v "$PWD/runs:/work/runs" impactmodel:0.1.0 run scenarios/fraud-error-debt.yaml --out runs/fraud
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ImpactModel.sln ./
COPY src/ src/
ARG SOURCE_REVISION=unknown
# Publishing makes one self-contained, precompiled (composite ReadyToRun) image of the runtime and the
# engine: no start-up compilation (docs/performance.md, issue 26). `dotnet /app/impact.dll` runs it as it is.
RUN dotnet publish src/ImpactModel.Worker -c Release -o /app --nologo -p:SourceRevisionId=$SOURCE_REVISION

FROM mcr.microsoft.com/dotnet/runtime:10.0
# The charts are drawn with SkiaSharp (it needs fontconfig) in the DejaVu fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core libfontconfig1 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
# The shipped scenarios, so an image can run them as they are (mount your own over /work/scenarios).
COPY scenarios/ /work/scenarios/
WORKDIR /work
# The runtime image's unprivileged user; a mounted SHARDS or runs volume must be writable by it (uid 1654).
USER app
ENTRYPOINT ["dotnet", "/app/impact.dll"]
CMD ["--help"]
