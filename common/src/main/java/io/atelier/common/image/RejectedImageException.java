package io.atelier.common.image;

/** An input that cannot become a training image; the message is the quarantine reason. */
public final class RejectedImageException extends Exception {
    public RejectedImageException(String reason) {
        super(reason);
    }

    public RejectedImageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
