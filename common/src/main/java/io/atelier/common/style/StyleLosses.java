package io.atelier.common.style;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The perceptual losses as SameDiff ops, so their gradients reach the image. Feature maps are one
 * image's NHWC map {@code [1, h, w, c]}, as feature networks build them.
 *
 * <ul>
 *   <li>Gram matrix: {@code G = F^T F / (h w)} with {@code F} the map as {@code [h w, c]}; dividing
 *       by the positions makes it a per-position average, comparable across image sizes.</li>
 *   <li>Style loss of a layer: {@code mean((G - A)^2)} over the {@code c x c} entries.</li>
 *   <li>Content loss: {@code mean((F - P)^2)} over the map.</li>
 *   <li>Total variation of an NCHW image: mean squared difference of vertical neighbours plus
 *       that of horizontal neighbours.</li>
 * </ul>
 */
public final class StyleLosses {
    private StyleLosses() {
    }

    public static SDVariable gram(SameDiff sd, String name, SDVariable nhwc, long h, long w, long c) {
        SDVariable flat = sd.reshape(name + "/flat", nhwc, h * w, c);
        SDVariable ftf = sd.mmul(name + "/ftf", flat, flat, true, false, false);
        return sd.math().div(name, ftf, (double) (h * w));
    }

    /** Gram matrices of a batch of maps {@code [n, h, w, c]}: {@code [n, c, c]}, each as {@link #gram}. */
    public static SDVariable gramBatch(SameDiff sd, String name, SDVariable nhwc, long n, long h, long w, long c) {
        SDVariable flat = sd.reshape(name + "/flat", nhwc, n, h * w, c);
        SDVariable ftf = sd.mmul(name + "/ftf", flat, flat, true, false, false);
        return sd.math().div(name, ftf, (double) (h * w));
    }

    public static SDVariable styleLoss(SameDiff sd, String name, SDVariable gram, SDVariable target) {
        return sd.math().squaredDifference(name + "/sq", gram, target).mean(name);
    }

    public static SDVariable contentLoss(SameDiff sd, String name, SDVariable features, SDVariable target) {
        return sd.math().squaredDifference(name + "/sq", features, target).mean(name);
    }

    /** Slices need explicit ends: SDIndex does not count from the end. */
    public static SDVariable totalVariation(SameDiff sd, String name, SDVariable nchw, long h, long w) {
        SDVariable down = nchw.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(1L, h), SDIndex.all());
        SDVariable up = nchw.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(0L, h - 1), SDIndex.all());
        SDVariable right = nchw.get(SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.interval(1L, w));
        SDVariable left = nchw.get(SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.interval(0L, w - 1));
        SDVariable vertical = sd.math().squaredDifference(name + "/v", down, up).mean();
        SDVariable horizontal = sd.math().squaredDifference(name + "/h", right, left).mean();
        return sd.math().add(name, vertical, horizontal);
    }
}
