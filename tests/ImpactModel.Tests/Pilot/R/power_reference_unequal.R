# Reference values for issue 22 (tests/ImpactModel.Tests/Pilot/UnequalReferenceTests.cs): unequal arms,
# both tails (strict), Fleiss's continuity correction, and solving for the effect or alpha, from R.
#
# Run from the repository root (R and the pwr package: apt-get install r-base-core r-cran-pwr):
#   Rscript tests/ImpactModel.Tests/Pilot/R/power_reference_unequal.R
# It writes tests/ImpactModel.Tests/Pilot/R/power_reference_unequal.csv and, from the same rows, the C#
# file tests/ImpactModel.Tests/Pilot/PowerReferenceUnequalData.cs that embeds that CSV text. Values
# are written with 17 significant digits (round trip). The issue-11 table (power_reference.R) is untouched.
#
# Tolerance. Every root is found with uniroot(..., tol = 1e-12) (or power.prop.test(tol = 1e-12)).
# R's defaults stop much earlier: uniroot's tol is .Machine$double.eps^0.25, about 1.2e-4 ABSOLUTE,
# which for n in the hundreds leaves R's own answer off by about 1e-5 relative or more
# (pwr.2p2n.test has no tol argument, so we apply uniroot(tol = 1e-12) to pwr's own power function).
#
# Where R has the function, R's is used:
#  * pooled, ratio 1: stats::power.prop.test (strict = FALSE or TRUE), including sig.level = NULL;
#  * arcsine: pwr::pwr.2p2n.test's power for (h, n1, n2, sig.level) in every root search;
# where it has none, the documented formula is written out here (docs/pilot-design.md):
#  * pooled with n2 = k n1: pbar = (p1 + k p2)/(1 + k),
#    power = pnorm((sqrt(n1) d - z sqrt(pbar qbar (1 + 1/k))) / sqrt(p1 q1 + p2 q2 / k)) [+ other tail if strict];
#  * continuity correction (Fleiss, Tytun and Ury 1980): n1' = n1/4 (1 + sqrt(1 + 2(k + 1)/(k n1 d)))^2; the
#    size rows apply it to R's uncorrected root; the power of n1' is the power at the n1 it maps back to;
#  * Poisson, unequal person-time: pnorm(2 |sqrt(r1) - sqrt(r2)| / sqrt(1/t1 + 1/t2) - z);
#  * cluster, unequal areas: arm i carries c_i m_i / DE_i people, DE_i = 1 + (m_i - 1) ICC, into the pooled power.

suppressPackageStartupMessages(library(pwr))
fmt <- function(x) if (is.na(x)) "" else trimws(formatC(x, digits = 17, format = "g"))
TOL <- 1e-12

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
  ratio = c(2, 3, 0.5, 1.5, 4, 0.25, 2.5, 1/3, 5, 2, 0.75, 3,
            1.2, 0.4, 2, 6, 0.8, 1.75, 3.5, 0.6, 2.2, 1.1, 0.3, 2.75),
  n     = c(100, 250, 80.5, 500, 60, 300, 40, 200, 1000, 150, 120, 700,
            900, 350, 2000, 90, 450, 210, 1200, 333.3, 410, 140, 75, 2500)
)
rates <- data.frame(r1 = c(0.02, 0.5, 3, 0.001, 1.2, 0.08, 10, 0.3), r2 = c(0.01, 0.8, 2.2, 0.002, 0.9, 0.05, 12.5, 0.2))

rows <- c()
add <- function(method, solve, p1, p2, a, s, pw, k, n1, n2, strict, cc, answer, m1 = NA, m2 = NA, icc = NA) {
  rows <<- c(rows, paste(method, solve, fmt(p1), fmt(p2), fmt(a), s, fmt(pw), fmt(k), fmt(n1), fmt(n2),
                         as.integer(strict), as.integer(cc), fmt(m1), fmt(m2), fmt(icc), fmt(answer), sep = ","))
}

alt_ppt <- function(s) if (s == 2) "two.sided" else "one.sided"
alt_pwr <- function(s) if (s == 2) "two.sided" else "greater"

# Pooled power of n1 and k n1 people (R's power.prop.test when k = 1).
ppow_raw <- function(p1, p2, n1, k, a, s, strict) {
  if (k == 1 && n1 > 0)
    return(power.prop.test(n = n1, p1 = p1, p2 = p2, sig.level = a, alternative = alt_ppt(s), strict = strict)$power)
  z <- qnorm(a / s, lower.tail = FALSE); d <- abs(p1 - p2)
  pbar <- (p1 + k * p2) / (1 + k)
  sd0 <- sqrt(pbar * (1 - pbar) * (1 + 1 / k)); sd1 <- sqrt(p1 * (1 - p1) + p2 * (1 - p2) / k)
  pw <- pnorm((sqrt(n1) * d - z * sd0) / sd1)
  if (strict && s == 2) pw <- pw + pnorm((sqrt(n1) * d + z * sd0) / sd1, lower.tail = FALSE)
  pw
}
uncorrect <- function(n1c, d, k) { qa <- (k + 1) / (2 * k * d); if (n1c > qa) (n1c - qa)^2 / n1c else 0 }
correct <- function(n1, d, k) n1 / 4 * (1 + sqrt(1 + 2 * (k + 1) / (k * n1 * d)))^2
ppow <- function(p1, p2, n1, k, a, s, strict, cc) {
  if (cc) n1 <- uncorrect(n1, abs(p1 - p2), k)
  ppow_raw(p1, p2, n1, k, a, s, strict)
}
pn1 <- function(p1, p2, k, a, s, pw, strict, cc) {
  n <- if (k == 1) {
    power.prop.test(p1 = p1, p2 = p2, sig.level = a, power = pw, alternative = alt_ppt(s), strict = strict, tol = TOL)$n
  } else {
    uniroot(function(n) ppow_raw(p1, p2, n, k, a, s, strict) - pw, c(1e-8, 1e7), tol = TOL, extendInt = "upX")$root
  }
  if (cc) correct(n, abs(p1 - p2), k) else n
}
# A root of f on [lo, hi], or NA when f does not change sign there (no detectable effect on that side).
root_or_na <- function(f, lo, hi) if (f(lo) * f(hi) > 0) NA else uniroot(f, c(lo, hi), tol = TOL)$root
apow <- function(h, n1, n2, a, s) pwr.2p2n.test(h = h, n1 = n1, n2 = n2, sig.level = a, alternative = alt_pwr(s))$power

for (i in seq_len(nrow(cases))) {
  p1 <- cases$p1[i]; p2 <- cases$p2[i]; a <- cases$alpha[i]; s <- cases$sides[i]; pw <- cases$power[i]
  k <- cases$ratio[i]; n0 <- cases$n[i]; n2g <- round(k * n0 * 10) / 10
  h <- abs(ES.h(p1, p2))
  st <- s == 2 && i %% 3 == 0; cc <- i %% 4 == 0

  # pooled with a ratio: size (n1; n2 = k n1) and power of n1 != n2
  add("pooled", "size", p1, p2, a, s, pw, k, NA, NA, FALSE, FALSE, pn1(p1, p2, k, a, s, pw, FALSE, FALSE))
  add("pooled", "power", p1, p2, a, s, ppow(p1, p2, n0, n2g / n0, a, s, FALSE, FALSE), NA, n0, n2g, FALSE, FALSE, NA)
  # strict (both tails), equal arms: R's power.prop.test(strict = TRUE) itself (two-sided rows; one-sided is unchanged)
  s2 <- 2
  add("pooled", "size", p1, p2, a, s2, pw, 1, NA, NA, TRUE, FALSE, pn1(p1, p2, 1, a, s2, pw, TRUE, FALSE))
  add("pooled", "power", p1, p2, a, s2, ppow(p1, p2, n0, 1, a, s2, TRUE, FALSE), NA, n0, n0, TRUE, FALSE, NA)
  # continuity correction: ratio 1 on odd rows (Fleiss), k on even rows (Fleiss-Tytun-Ury)
  kc <- if (i %% 2 == 1) 1 else k
  add("pooled", "size", p1, p2, a, s, pw, kc, NA, NA, FALSE, TRUE, pn1(p1, p2, kc, a, s, pw, FALSE, TRUE))
  n2c <- if (kc == 1) n0 else n2g
  add("pooled", "power", p1, p2, a, s, ppow(p1, p2, n0, n2c / n0, a, s, FALSE, TRUE), NA, n0, n2c, FALSE, TRUE, NA)

  # arcsine with a ratio: n1 with n2 = k n1 (pwr.2p2n.test's power), and power of n1 != n2
  lo <- max(2, 2 / k) + 1e-10
  n1a <- uniroot(function(n) apow(h, n, k * n, a, s) - pw, c(lo, 1e9), tol = TOL)$root
  add("arcsine", "size", p1, p2, a, s, pw, k, NA, NA, FALSE, FALSE, n1a)
  add("arcsine", "power", p1, p2, a, s, apow(h, n0, n2g, a, s), NA, n0, n2g, FALSE, FALSE, NA)

  # effect at given arms and power: pooled p2 above and below p1 (with strict/cc on some rows), arcsine h
  # (an empty answer: no p2 inside (0, 1) on that side reaches the power, so the engine must say none)
  n1e <- 4 * n0; n2e <- if (i %% 2 == 0) n1e else 4 * n2g
  up <- root_or_na(function(q) ppow(p1, q, n1e, n2e / n1e, a, s, st, cc) - pw, p1, 1 - 1e-12)
  add("pooled", "effect-up", p1, up, a, s, pw, NA, n1e, n2e, st, cc, up)
  down <- root_or_na(function(q) ppow(p1, q, n1e, n2e / n1e, a, s, st, cc) - pw, 1e-12, p1)
  add("pooled", "effect-down", p1, down, a, s, pw, NA, n1e, n2e, st, cc, down)
  he <- uniroot(function(x) apow(x, n1e, n2e, a, s) - pw, c(1e-10, 10), tol = TOL)$root
  add("arcsine", "effect-h", p1, NA, a, s, pw, NA, n1e, n2e, FALSE, FALSE, he)

  # alpha at given arms and power (sig.level = NULL): arms a little above the size at the row's alpha
  # (arms never smaller than n1, and a target power below 1 - alpha, so the solved alpha stays below 1 - power)
  pwa <- if (a >= 1 - pw) 0.9 else pw
  n1s <- ceiling(pn1(p1, p2, 1, a, s, pwa, st, cc)) + 7
  n2s <- if (i %% 2 == 0) n1s else ceiling(max(k, 1) * n1s)
  al <- if (n1s == n2s && !cc) {
    power.prop.test(n = n1s, p1 = p1, p2 = p2, power = pwa, sig.level = NULL, alternative = alt_ppt(s), strict = st, tol = TOL)$sig.level
  } else {
    uniroot(function(x) ppow(p1, p2, n1s, n2s / n1s, x, s, st, cc) - pwa, c(1e-10, 1 - 1e-10), tol = TOL)$root
  }
  add("pooled", "alpha", p1, p2, NA, s, pwa, NA, n1s, n2s, st, cc, al)
  n1h <- ceiling(uniroot(function(n) apow(h, n, n, a, s) - pwa, c(2 + 1e-10, 1e9), tol = TOL)$root) + 7
  n2h <- if (i %% 2 == 0) n1h else ceiling(max(k, 1) * n1h)
  alh <- uniroot(function(x) apow(h, n1h, n2h, x, s) - pwa, c(1e-10, 1 - 1e-10), tol = TOL)$root
  add("arcsine", "alpha", p1, p2, NA, s, pwa, NA, n1h, n2h, FALSE, FALSE, alh)

  # Poisson, unequal person-time (normal, square-root scale): t1 with t2 = k t1, and power of t1 != t2
  r1 <- rates$r1[(i - 1) %% 8 + 1]; r2 <- rates$r2[(i - 1) %% 8 + 1] * (1 + (i - 1) %/% 8 / 10)
  ppois <- function(t1, t2) pnorm(2 * abs(sqrt(r1) - sqrt(r2)) / sqrt(1 / t1 + 1 / t2) - qnorm(a / s, lower.tail = FALSE))
  t1 <- uniroot(function(t) ppois(t, k * t) - pw, c(1e-9, 1e12), tol = TOL * 1e-3, extendInt = "upX")$root
  add("poisson", "size", r1, r2, a, s, pw, k, NA, NA, FALSE, FALSE, t1)
  tg <- n0 * 10 / r1 / 100
  add("poisson", "power", r1, r2, a, s, ppois(tg, tg * n2g / n0), NA, tg, tg * n2g / n0, FALSE, FALSE, NA)

  # cluster, unequal areas: c1 with c2 = k c1 (m people per area, ICC), and power of c1 != c2 areas
  m1 <- c(50, 200, 30, 100)[(i - 1) %% 4 + 1]; m2 <- if (i %% 3 == 0) m1 * 2 else m1
  icc <- c(0.01, 0.02, 0.05, 0.001)[(i - 1) %% 4 + 1]
  de1 <- 1 + (m1 - 1) * icc; de2 <- 1 + (m2 - 1) * icc
  pclu <- function(c1, c2) { e1 <- c1 * m1 / de1; e2 <- c2 * m2 / de2; ppow(p1, p2, e1, e2 / e1, a, s, FALSE, FALSE) }
  c1 <- uniroot(function(c) pclu(c, k * c) - pw, c(1e-8, 1e7), tol = TOL * 1e-2, extendInt = "upX")$root
  add("cluster", "size", p1, p2, a, s, pw, k, NA, NA, FALSE, FALSE, c1, m1, m2, icc)
  ca <- c(6, 10, 4, 20)[(i - 1) %% 4 + 1]; cb <- c(2, 15, 8, 5)[(i - 1) %% 4 + 1]
  add("cluster", "power", p1, p2, a, s, pclu(ca, cb), NA, ca, cb, FALSE, FALSE, NA, m1, m2, icc)
}

header <- "method,solve,p1,p2,alpha,sides,power,ratio,n1,n2,strict,cc,m1,m2,icc,answer"
csv <- c(header, rows)
dir <- "tests/ImpactModel.Tests/Pilot"
writeLines(csv, file.path(dir, "R", "power_reference_unequal.csv"))
cs <- c(
  "// <auto-generated> by tests/ImpactModel.Tests/Pilot/R/power_reference_unequal.R; do not edit. </auto-generated>",
  paste0("// ", R.version.string, "; pwr ", as.character(packageVersion("pwr"))),
  "namespace ImpactModel.Tests.Pilot;",
  "",
  "internal static class PowerReferenceUnequalData",
  "{",
  "    /// <summary>The contents of R/power_reference_unequal.csv.</summary>",
  "    public const string Rows = \"\"\"",
  paste0("        ", csv),
  "        \"\"\";",
  "}"
)
writeLines(cs, file.path(dir, "PowerReferenceUnequalData.cs"))
cat("wrote", length(rows), "rows\n")
