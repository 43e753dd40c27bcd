package org.detrain.config;

/**
 * The keys that say what the ranks train on and how it is split ({@code dataset*},
 * {@code synthetic.*}, {@code partition*}), typed. Built once per {@link RunConfig}:
 * {@link RunConfig#data()}.
 *
 * @param dataset           {@code dataset}: fashion-mnist, cifar10, synthetic-lsq, synthetic-hlsq or synthetic-logreg
 * @param dir               {@code dataset.dir}: the dataset's directory, or "auto"
 * @param syntheticSamples  {@code synthetic.samples}: in all (synthetic-lsq) or per rank (hlsq, logreg)
 * @param syntheticFeatures {@code synthetic.features}: dimension of x
 * @param syntheticNoise    {@code synthetic.noise}: std. dev. of the label noise
 * @param heterogeneity     {@code synthetic.heterogeneity}: how far apart the ranks' problems are
 * @param partition         {@code partition}: auto, shuffled, dirichlet or by-rank
 * @param shuffledPercent   {@code partition.shuffled}: shuffled fraction in percent (100 = IID)
 * @param dirichletAlpha    {@code partition.alpha}: Dirichlet concentration
 */
public record DataSettings(String dataset, String dir, int syntheticSamples, int syntheticFeatures, double syntheticNoise,
                           double heterogeneity, String partition, double shuffledPercent, double dirichletAlpha) {
    static DataSettings from(RunConfig c) {
        return new DataSettings(c.get("dataset"), c.get("dataset.dir"), c.getInt("synthetic.samples"),
                c.getInt("synthetic.features"), c.getDouble("synthetic.noise"), c.getDouble("synthetic.heterogeneity"),
                c.get("partition"), c.getDouble("partition.shuffled"), c.getDouble("partition.alpha"));
    }

    /** An image dataset read from files (Fashion-MNIST, CIFAR-10), rather than generated data. */
    public boolean images() {
        return dataset.equals("fashion-mnist") || dataset.equals("cifar10");
    }

    /** Data generated rank by rank (synthetic-hlsq, synthetic-logreg): each rank has its own problem. */
    public boolean generatedPerRank() {
        return dataset.equals("synthetic-hlsq") || dataset.equals("synthetic-logreg");
    }

    /** The partition scheme with auto resolved: by-rank for data generated per rank, else shuffled. */
    public String partitionScheme() {
        if (!partition.equals("auto")) {
            return partition;
        }
        return generatedPerRank() ? "by-rank" : "shuffled";
    }
}
