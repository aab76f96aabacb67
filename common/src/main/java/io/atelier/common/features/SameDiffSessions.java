package io.atelier.common.features;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;

/**
 * Ends the calling thread's SameDiff inference sessions once a call's outputs are taken.
 *
 * <p>Why: ND4J 1.0.0-M2.1 keeps one {@link InferenceSession} per graph and thread for the graph's
 * whole life, and each session adds the id of every array it frees to a set it never clears.
 * A graph that lives long (one network per executor, reused for every image) so holds about 6 KB
 * more heap per forward pass of the fast style network, and one session more for each task
 * thread that ever ran it. Dropping the session after each call keeps both bounded; the next
 * call builds a new one, which costs little next to the pass itself.
 */
public final class SameDiffSessions {
    /** SameDiff's name for the gradient function that {@code calculateGradients*} runs. */
    private static final String GRADIENTS = "grad";

    private SameDiffSessions() {
    }

    /** Drops this thread's sessions of {@code sd} and of its gradient function, freeing their cached arrays. */
    public static void end(SameDiff sd) {
        endOne(sd);
        SameDiff gradients = sd.getFunction(GRADIENTS);
        if (gradients != null) {
            endOne(gradients);
        }
    }

    private static void endOne(SameDiff sd) {
        InferenceSession session = sd.getSessions().remove(Thread.currentThread().getId());
        if (session != null && session.getMmgr() != null) {
            session.getMmgr().close(); // only arrays released for reuse; outputs already returned are not among them
        }
    }
}
