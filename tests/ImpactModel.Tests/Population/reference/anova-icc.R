# Reference value for AreaClustering.Anova (tests/ImpactModel.Tests/Population/AreaClusteringTests.cs):
# the one-way ANOVA estimator of the ICC from person-level 0/1 data, by R's own aov, with unequal
# cluster sizes (Donner 1986: n0 = (N - sum n_i^2 / N) / (K - 1)).
# Run: Rscript anova-icc.R   (base R only)
members <- c(3, 10, 0, 25, 7, 12)
persons <- c(40, 55, 20, 90, 33, 61)
y <- unlist(mapply(function(m, n) c(rep(1, m), rep(0, n - m)), members, persons))
cluster <- factor(rep(seq_along(persons), persons))
table <- summary(aov(y ~ cluster))[[1]]
msb <- table[["Mean Sq"]][1]; msw <- table[["Mean Sq"]][2]
N <- sum(persons); K <- length(persons)
n0 <- (N - sum(persons^2) / N) / (K - 1)
cat(sprintf("%.15e\n", (msb - msw) / (msb + (n0 - 1) * msw)))
