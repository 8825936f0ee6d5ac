# Reference values for tests/ImpactModel.Tests/Pilot (issue 11): R's own answers for two
# independent proportions, so the C# engine can be checked without R installed.
#
# Run from the repository root (R and the pwr package: apt-get install r-base-core r-cran-pwr):
#   Rscript tests/ImpactModel.Tests/Pilot/R/power_reference.R
# It writes tests/ImpactModel.Tests/Pilot/R/power_reference.csv and, from the same rows, the C#
# file tests/ImpactModel.Tests/Pilot/PowerReferenceData.cs that embeds that CSV text (so the test
# project needs no file copying). Values are written with 17 significant digits (round trip).
#
# Tolerances. Both R functions find n with uniroot, which stops when the bracket is narrower than
# `tol`, an ABSOLUTE tolerance on n (default .Machine$double.eps^0.25 = 1.2e-4). With n in the
# hundreds or thousands that default leaves R's n off by up to about 1e-4 / n relative, too coarse
# to check an engine to 1e-6 relative. So:
#  * pooled:  stats::power.prop.test has a `tol` argument; we call it with tol = 1e-12. Its power
#             function (strict = FALSE) is R's own; only the stopping rule is tightened.
#  * arcsine: pwr::pwr.2p.test has no `tol` argument (its body calls uniroot with the default tol
#             on the interval c(2 + 1e-10, 1e9)). We therefore solve with uniroot(tol = 1e-12)
#             applied to pwr.2p.test's OWN power (pwr.2p.test(h, n, ...)$power), which is exactly
#             the function pwr's uniroot sees. The column n_r_default keeps what pwr.2p.test itself
#             reports (default tol) for comparison; the tests check against `n`, not n_r_default.
# The "power from n" rows need no root finding: both functions evaluate their power formula.
# The "p2 from n" rows (detectable p2) use power.prop.test(p2 = NULL, tol = 1e-12).
# The "tolerance-exact" rows are a brute-force search with pbinom over every n up to 4000 (see
# below); they check the C# exact binomial solver and its attained alpha.

suppressPackageStartupMessages(library(pwr))
fmt <- function(x) if (is.na(x)) "" else trimws(formatC(x, digits = 17, format = "g"))

cases <- data.frame(
  p1    = c(0.10, 0.20, 0.30, 0.50, 0.05, 0.15, 0.40, 0.60, 0.02, 0.25, 0.70, 0.12,
            0.33, 0.08, 0.45, 0.90, 0.55, 0.18, 0.03, 0.65, 0.22, 0.50, 0.35, 0.01),
  p2    = c(0.15, 0.30, 0.20, 0.60, 0.10, 0.25, 0.55, 0.45, 0.05, 0.20, 0.80, 0.08,
            0.40, 0.12, 0.50, 0.80, 0.45, 0.28, 0.06, 0.75, 0.15, 0.40, 0.50, 0.03),
  alpha = c(0.05, 0.05, 0.01, 0.05, 0.10, 0.05, 0.05, 0.025, 0.05, 0.01, 0.05, 0.05,
            0.10, 0.05, 0.05, 0.05, 0.01, 0.05, 0.05, 0.05, 0.10, 0.05, 0.05, 0.05),
  sides = c(2, 2, 2, 2, 1, 2, 1, 2, 2, 2, 1, 2, 2, 1, 2, 2, 2, 2, 1, 2, 2, 1, 2, 2),
  power = c(0.80, 0.90, 0.80, 0.85, 0.80, 0.95, 0.80, 0.80, 0.90, 0.80, 0.70, 0.80,
            0.90, 0.80, 0.60, 0.80, 0.90, 0.75, 0.80, 0.99, 0.80, 0.80, 0.90, 0.80),
  n     = c(100, 250, 80.5, 500, 60, 300, 40, 200, 1000, 150, 120, 700,
            900, 350, 2000, 90, 450, 210, 1200, 333.3, 410, 140, 75, 2500)
)

rows <- c()
add <- function(method, solve, p1, p2, alpha, sides, power, n, n_default = NA) {
  rows <<- c(rows, paste(method, solve, fmt(p1), fmt(p2), fmt(alpha), sides, fmt(power), fmt(n),
                         fmt(n_default), sep = ","))
}

for (i in seq_len(nrow(cases))) {
  p1 <- cases$p1[i]; p2 <- cases$p2[i]; a <- cases$alpha[i]; s <- cases$sides[i]
  pw <- cases$power[i]; n0 <- cases$n[i]
  ppt_alt <- if (s == 2) "two.sided" else "one.sided"

  # pooled: n from power, power from n
  r <- power.prop.test(p1 = p1, p2 = p2, sig.level = a, power = pw, alternative = ppt_alt, tol = 1e-12)
  r_default <- power.prop.test(p1 = p1, p2 = p2, sig.level = a, power = pw, alternative = ppt_alt)
  add("pooled", "n", p1, p2, a, s, pw, r$n, r_default$n)
  r <- power.prop.test(n = n0, p1 = p1, p2 = p2, sig.level = a, alternative = ppt_alt)
  add("pooled", "power", p1, p2, a, s, r$power, n0)
  # pooled: detectable p2 above p1 at n (power.prop.test searches p2 in [p1, 1])
  r <- power.prop.test(n = n0, p1 = p1, power = pw, sig.level = a, alternative = ppt_alt, tol = 1e-12)
  add("pooled", "p2", p1, r$p2, a, s, pw, n0)

  # arcsine (Cohen's h), as pwr.2p.test; one-sided is alternative = "greater" with h = |h|
  h <- abs(ES.h(p1, p2))
  pwr_alt <- if (s == 2) "two.sided" else "greater"
  f <- function(n) pwr.2p.test(h = h, n = n, sig.level = a, alternative = pwr_alt)$power - pw
  n_tight <- uniroot(f, c(2 + 1e-10, 1e9), tol = 1e-12, maxiter = 10000)$root
  n_default <- pwr.2p.test(h = h, sig.level = a, power = pw, alternative = pwr_alt)$n
  add("arcsine", "n", p1, p2, a, s, pw, n_tight, n_default)
  r <- pwr.2p.test(h = h, n = n0, sig.level = a, alternative = pwr_alt)
  add("arcsine", "power", p1, p2, a, s, r$power, n0)
}

# Exact one-sided binomial test of H0: rate <= tol against the true rate `rate`, by brute force:
# for every n, the critical count c(n) is the smallest c with P(X >= c | n, tol) <= alpha; the power
# is P(X >= c(n) | n, rate). Reported: the smallest n whose power reaches the target, the smallest n
# from which every n up to 4000 does, and the attained alpha P(X >= c | n, tol) at each.
# Columns reuse the layout: p1 = rate, p2 = tolerance, n = smallest n, n_default = stable n;
# the attained alphas follow in a separate CSV block below.
exact_rows <- c()
exact <- data.frame(rate = c(0.10, 0.05, 0.20, 0.03), tol = c(0.05, 0.02, 0.10, 0.01),
                    alpha = c(0.05, 0.05, 0.025, 0.05), power = c(0.80, 0.80, 0.90, 0.80))
for (i in seq_len(nrow(exact))) {
  P <- exact$rate[i]; T0 <- exact$tol[i]; a <- exact$alpha[i]; target <- exact$power[i]
  N <- 4000
  crit <- integer(N); pw <- numeric(N); att <- numeric(N)
  for (n in 1:N) {
    tails <- pbinom((0:(n + 1)) - 1, n, T0, lower.tail = FALSE) # P(X >= c), c = 0..n+1
    c0 <- which(tails <= a)[1] - 1
    crit[n] <- c0
    att[n] <- tails[c0 + 1]
    pw[n] <- pbinom(c0 - 1, n, P, lower.tail = FALSE)
  }
  first <- which(pw >= target)[1]
  failing <- which(pw < target)
  stable <- max(failing) + 1
  exact_rows <- c(exact_rows, paste(fmt(P), fmt(T0), fmt(a), fmt(target), first, stable,
                                    crit[first], fmt(att[first]), fmt(pw[first]),
                                    crit[stable], fmt(att[stable]), fmt(pw[stable]), sep = ","))
}

header <- "method,solve,p1,p2,alpha,sides,power,n,n_r_default"
csv <- c(header, rows)
exact_header <- "rate,tolerance,alpha,power,n_first,n_stable,crit_first,alpha_first,power_first,crit_stable,alpha_stable,power_stable"
exact_csv <- c(exact_header, exact_rows)

dir <- "tests/ImpactModel.Tests/Pilot"
writeLines(csv, file.path(dir, "R", "power_reference.csv"))
writeLines(exact_csv, file.path(dir, "R", "tolerance_exact_reference.csv"))
cs <- c(
  "// <auto-generated> by tests/ImpactModel.Tests/Pilot/R/power_reference.R; do not edit. </auto-generated>",
  paste0("// ", R.version.string, "; pwr ", as.character(packageVersion("pwr"))),
  "namespace ImpactModel.Tests.Pilot;",
  "",
  "internal static class PowerReferenceData",
  "{",
  "    /// <summary>The contents of R/power_reference.csv.</summary>",
  "    public const string Proportions = \"\"\"",
  paste0("        ", csv),
  "        \"\"\";",
  "",
  "    /// <summary>The contents of R/tolerance_exact_reference.csv.</summary>",
  "    public const string ToleranceExact = \"\"\"",
  paste0("        ", exact_csv),
  "        \"\"\";",
  "}"
)
writeLines(cs, file.path(dir, "PowerReferenceData.cs"))
cat("wrote", length(rows), "proportion rows and", length(exact_rows), "exact tolerance rows\n")
