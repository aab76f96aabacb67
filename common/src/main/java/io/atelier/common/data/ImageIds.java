package io.atelier.common.data;

import io.atelier.common.image.SparkImage;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Content-derived ids and the shard they map to: equal pixels, equal id, same shard, always. */
public final class ImageIds {
    private ImageIds() {
    }

    /** 128 bits of SHA-256 over the stored pixels and their shape, as 32 hex characters. */
    public static String contentId(SparkImage image) {
        MessageDigest sha = io.atelier.common.io.Sha256.digest();
        sha.update(ByteBuffer.allocate(12).putInt(image.height()).putInt(image.width())
                .putInt(image.nChannels()).array());
        sha.update(image.data());
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    /** shard = hash(id) mod N, from the id's first 32 bits: independent of seed and input order. */
    public static int shardOf(String id, int shards) {
        return Math.floorMod((int) Long.parseLong(id.substring(0, 8), 16), shards);
    }
}
