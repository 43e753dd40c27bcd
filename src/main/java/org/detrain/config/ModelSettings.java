package org.detrain.config;

/**
 * The keys that make the model and choose where its kernels run, typed. Built once per
 * {@link RunConfig}: {@link RunConfig#model()}.
 *
 * @param name    {@code model}: softmax, linear, logistic, mlp or lenet
 * @param hidden  {@code model.hidden}: the MLP's hidden widths, comma-separated
 * @param l2      {@code model.l2}: the logistic objective's L2 term μ
 * @param device  {@code device}: java, jtp, cpu, gpu or auto
 * @param threads {@code threads}: threads per rank of the Java engine
 */
public record ModelSettings(String name, String hidden, double l2, String device, int threads) {
    static ModelSettings from(RunConfig c) {
        return new ModelSettings(c.get("model"), c.get("model.hidden"), c.getDouble("model.l2"), c.get("device"),
                c.getInt("threads"));
    }
}
