# What common random numbers buy: for each safeguard's marginal effect (proposal minus
# proposal-without-<id>) on a metric, the standard deviation over replicates of the paired
# difference (both variants in the same replicate: the same persons and draws) against that of
# the difference between two independent runs (var(proposal) + var(without), the variants'
# replicates taken as independent). Reads a run folder's replicates.csv.
# Usage: Rscript docs/scripts/crn-ratios.R RUNFOLDER [metric ...]
args <- commandArgs(trailingOnly = TRUE)
folder <- args[1]
metrics <- if (length(args) > 1) args[-1] else c("wrongful_adverse_actions", "net_benefit", "hardship", "money_wrongly_recovered")
r <- read.csv(file.path(folder, "replicates.csv"), stringsAsFactors = FALSE)
r <- r[r$group == "all" & r$metric %in% metrics, ]
value <- function(variant, metric) { x <- r[r$variant == variant & r$metric == metric, ]; x$value[order(x$replicate)] }
without <- unique(r$variant[startsWith(r$variant, "proposal-without-")])
out <- do.call(rbind, lapply(without, function(v) do.call(rbind, lapply(metrics, function(m) {
  p <- value("proposal", m); w <- value(v, m)
  paired <- sd(p - w); independent <- sqrt(var(p) + var(w))
  data.frame(safeguard = sub("proposal-without-", "", v), metric = m, replicates = length(p),
             paired_sd = signif(paired, 4), independent_sd = signif(independent, 4), ratio = signif(paired / independent, 3))
}))))
print(out, row.names = FALSE)
