package io.atelier.common.data.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Captions beside images, the convention of caption data sets: {@code photo.jpg} is described by
 * {@code photo.txt} in the same folder (or archive directory). The text is UTF-8; runs of white
 * space, line breaks included, become one space.
 */
final class SidecarCaptions {
    static final String EXTENSION = ".txt";
    /** An orphan caption reads as a file that is not an image, which is what it is to an image ingest. */
    static final String ORPHAN = "not an image: a caption file needs an image of the same name beside it";

    private SidecarCaptions() {
    }

    /** The text of a caption file, or the reason it cannot be one. */
    record Caption(String text, String problem) {
    }

    static boolean isCaptionFile(String relative) {
        return relative.toLowerCase(Locale.ROOT).endsWith(EXTENSION);
    }

    /** The path without its extension: an image and its caption share it. */
    static String stem(String relative) {
        int slash = relative.lastIndexOf('/');
        int dot = relative.lastIndexOf('.');
        return dot > slash + 1 ? relative.substring(0, dot) : relative;
    }

    static Caption read(String captionOrigin, byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new Caption(null, "caption file " + captionOrigin + " is not UTF-8 text; save it as UTF-8");
        }
        text = text.replace("\uFEFF", "").strip().replaceAll("\\s+", " ");
        if (text.isEmpty()) {
            return new Caption(null, "caption file " + captionOrigin + " is empty; write the caption in it or delete it");
        }
        return new Caption(text, null);
    }
}
