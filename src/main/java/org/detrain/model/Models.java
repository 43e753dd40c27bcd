package org.detrain.model;

import java.util.ArrayList;
import java.util.List;
import org.detrain.kernel.ComputeDevice;
import org.detrain.kernel.NetProgram;
import org.detrain.util.DetrainException;

/**
 * The models a run can name ({@code model=softmax|linear|mlp|lenet}) and their construction for a
 * device. On {@code java}, softmax regression is {@link SoftmaxRegression} (the original reference,
 * unchanged results) and linear least squares is {@link LinearLeastSquares}; everything else is a
 * {@link NetModel}, run by the Java engine or the Aparapi kernel (both tested against a plain reference).
 */
public final class Models {
    public static final List<String> NAMES = List.of("softmax", "linear", "logistic", "mlp", "lenet");

    private Models() {
    }

    /**
     * @param hidden the MLP's hidden layer widths, e.g. "128" or "256,128"
     */
    public static Model create(String name, int features, int classes, String hidden, ComputeDevice device) {
        return create(name, features, classes, hidden, 0, device);
    }

    /**
     * @param hidden the MLP's hidden layer widths, e.g. "128" or "256,128"
     * @param l2     the logistic model's regularisation μ
     */
    public static Model create(String name, int features, int classes, String hidden, double l2, ComputeDevice device) {
        check(name, features, classes, hidden, device);
        return switch (name) {
            case "linear" -> new LinearLeastSquares(features);
            case "logistic" -> new LogisticRegression(features, l2);
            case "softmax" -> device.kind() == ComputeDevice.Kind.JAVA ? new SoftmaxRegression(features, classes)
                    : new NetModel("softmax", softmaxProgram(features, classes), device,
                            new SoftmaxRegression(features, classes)::initialize);
            case "mlp" -> new NetModel("mlp", mlpProgram(features, parseHidden(hidden), classes), device);
            case "lenet" -> new NetModel("lenet", lenetProgram(imageShape(features), classes), device);
            default -> throw new IllegalStateException("model " + name);
        };
    }

    /** Validates a model choice against the data and device; a mismatch is a {@link DetrainException}. */
    public static void check(String name, int features, int classes, String hidden, ComputeDevice device) {
        if (!NAMES.contains(name)) {
            throw DetrainException.badInput("unknown model '" + name + "': use one of " + NAMES);
        }
        if (name.equals("logistic")) {
            if (classes != 2) {
                throw DetrainException.badInput("model=logistic is a binary classifier but the dataset has " + classes
                        + " classes; use it with dataset=synthetic-logreg");
            }
            if (device.kind() != ComputeDevice.Kind.JAVA) {
                throw DetrainException.badInput("model=logistic runs on device=java only (it has no kernel); set device=java");
            }
            return;
        }
        if (name.equals("linear")) {
            if (classes != 0) {
                throw DetrainException.badInput("model=linear fits a regression target but the dataset has " + classes
                        + " classes; use model=softmax, mlp or lenet, or dataset=synthetic-lsq");
            }
            if (device.kind() != ComputeDevice.Kind.JAVA) {
                throw DetrainException.badInput("model=linear runs on device=java only (it has no kernel); set device=java");
            }
            return;
        }
        if (classes < 2) {
            throw DetrainException.badInput("model=" + name + " is a classifier but the dataset has no class labels"
                    + " (dataset=synthetic-lsq is a regression problem); use model=linear");
        }
        if (name.equals("mlp")) {
            parseHidden(hidden);
        }
        if (name.equals("lenet")) {
            imageShape(features);
        }
    }

    /** Parses "128" or "256,128" into layer widths, each in [1, 65536]. */
    public static int[] parseHidden(String hidden) {
        List<Integer> widths = new ArrayList<>();
        for (String part : hidden.split(",", -1)) {
            String t = part.trim();
            int w;
            try {
                w = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                w = -1;
            }
            if (w < 1 || w > 65_536) {
                throw DetrainException.badInput("model.hidden='" + hidden + "' is not a comma-separated list of layer widths in"
                        + " [1, 65536]; write e.g. model.hidden=128 or model.hidden=256,128");
            }
            widths.add(w);
        }
        return widths.stream().mapToInt(Integer::intValue).toArray();
    }

    /** (channels, height, width) of the images LeNet-5 accepts: 28x28x1 or 32x32x3. */
    public static int[] imageShape(int features) {
        return switch (features) {
            case 28 * 28 -> new int[] {1, 28, 28};
            case 3 * 32 * 32 -> new int[] {3, 32, 32};
            default -> throw DetrainException.badInput("model=lenet needs 28x28x1 or 32x32x3 images but the samples have "
                    + features + " features; use dataset=fashion-mnist or cifar10, or model=mlp");
        };
    }

    /** Softmax regression: one dense layer (W classes x features, then b), weights as in {@link SoftmaxRegression}. */
    public static NetProgram softmaxProgram(int features, int classes) {
        return new NetProgram.Builder(1, 1, features).dense(classes, false, 0.01, false).softmaxCrossEntropy();
    }

    /** features → hidden[0] → … → classes, ReLU after every hidden layer. */
    public static NetProgram mlpProgram(int features, int[] hidden, int classes) {
        NetProgram.Builder b = new NetProgram.Builder(1, 1, features);
        for (int h : hidden) {
            b.dense(h, true);
        }
        return b.dense(classes, false).softmaxCrossEntropy();
    }

    /**
     * LeNet-5: conv 5x5 → 6 (ReLU) → max-pool 2 → conv 5x5 → 16 (ReLU) → max-pool 2 → dense 120 (ReLU)
     * → dense 84 (ReLU) → dense classes. On 28x28x1 the flattened features are 16x4x4, on 32x32x3 16x5x5.
     */
    public static NetProgram lenetProgram(int[] chw, int classes) {
        return new NetProgram.Builder(chw[0], chw[1], chw[2])
                .conv(6, true).pool()
                .conv(16, true).pool()
                .dense(120, true).dense(84, true).dense(classes, false)
                .softmaxCrossEntropy();
    }
}
