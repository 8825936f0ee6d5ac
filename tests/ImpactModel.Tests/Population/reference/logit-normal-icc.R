# Reference values for AreaClustering.LogitNormalIcc (tests/ImpactModel.Tests/Population/AreaClusteringTests.cs).
# The ICC of a binary outcome whose cluster-level log-odds are mu + sigma * Z, Z standard normal:
# Var(plogis(mu + sigma Z)) / (p (1 - p)), with mu solved so that E[plogis(mu + sigma Z)] = p.
# Run: Rscript logit-normal-icc.R   (R 4.2.2 on Debian; base R only: integrate, uniroot)
moment <- function(mu, sigma, k) integrate(function(z) plogis(mu + sigma * z)^k * dnorm(z), -Inf, Inf, rel.tol = 1e-13, subdivisions = 1000L)$value
icc <- function(p, sigma) {
  mu <- uniroot(function(m) moment(m, sigma, 1) - p, c(-40, 40), tol = 1e-15)$root
  m1 <- moment(mu, sigma, 1); m2 <- moment(mu, sigma, 2)
  (m2 - m1^2) / (p * (1 - p))
}
cases <- list(c(0.1, 0.3), c(0.5, 1), c(0.01, 0.2), c(0.24, 0.15), c(0.003, 0.5), c(0.9, 2))
for (x in cases) cat(sprintf("[InlineData(%s, %s, %.15e)]\n", format(x[1]), format(x[2]), icc(x[1], x[2])))
