# Reference values for the sensitivity analysis' percentiles (ParameterQuantiles) and rank
# correlation (RankCorrelation), from R's own quantile functions and cor(method = "spearman").
# Run from this folder: Rscript review_reference.R   (writes quantiles_reference.csv, spearman_reference.csv)
options(digits = 17)
p <- c(0.01, 0.1, 0.5, 0.9, 0.99)
rows <- list()
add <- function(distribution, q) rows[[length(rows) + 1]] <<- data.frame(distribution = distribution, p = p, quantile = sprintf("%.17g", q))
add("beta(2, 50)", qbeta(p, 2, 50))
add("beta(25, 975)", qbeta(p, 25, 975))
add("beta(0.5, 0.5)", qbeta(p, 0.5, 0.5))
add("normal(3, 2)", qnorm(p, 3, 2))
lognormal <- function(m, s) { s2 <- log(1 + s^2 / m^2); qlnorm(p, log(m) - s2 / 2, sqrt(s2)) }
add("lognormal(400, 150)", lognormal(400, 150))
add("uniform(1, 5)", qunif(p, 1, 5))
# The triangular distribution is not in base R: its CDF inverted numerically.
triangular <- function(a, c, b) sapply(p, function(pp) uniroot(function(x) {
  if (x <= c) (x - a)^2 / ((b - a) * (c - a)) - pp else 1 - (b - x)^2 / ((b - a) * (b - c)) - pp
}, c(a, b), tol = 1e-14)$root)
add("triangular(0.01, 0.02, 0.05)", triangular(0.01, 0.02, 0.05))
# A single number spread by its grade (docs/scenario-format.md): a probability on the log-odds
# scale, an amount by the mean-keeping lognormal factor.
add("probability 0.2 spread 0.3", plogis(qlogis(0.2) + 0.3 * qnorm(p)))
add("money 150 spread 0.3", 150 * exp(0.3 * qnorm(p) - 0.3^2 / 2))
write.csv(do.call(rbind, rows), "quantiles_reference.csv", row.names = FALSE, quote = TRUE)

x1 <- c(0.12, 0.5, 0.33, 0.9, 0.05, 0.61, 0.77, 0.2, 0.45, 0.81, 0.28)
y1 <- c(10, 42, 30, 80, 2, 55, 71, 13, 40, 77, 31)
x2 <- c(1, 2, 2, 3, 4, 4, 4, 5, 6, 7)
y2 <- c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3)
x3 <- c(5, 4, 3, 2, 1, 0, -1, -2, -3, -4)
y3 <- c(1, 2, 2, 3, 5, 8, 13, 21, 34, 55)
s <- data.frame(case = c("distinct", "ties", "decreasing"),
                rho = sprintf("%.17g", c(cor(x1, y1, method = "spearman"), cor(x2, y2, method = "spearman"), cor(x3, y3, method = "spearman"))))
write.csv(s, "spearman_reference.csv", row.names = FALSE, quote = TRUE)
