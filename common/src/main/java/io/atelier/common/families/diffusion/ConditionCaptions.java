package io.atelier.common.families.diffusion;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.train.RowLabeler;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;

/**
 * The captions a conditional diffusion model learns from. A dataset with a {@code caption} column
 * gives the distinct captions of its train split (in word form, sorted), a row without one falling
 * back to its label name; any other dataset gives its label names, one caption per class.
 */
public record ConditionCaptions(DiffusionConfig.CaptionSource source, List<String> texts) {

    public static ConditionCaptions of(SparkSession spark, ImageDataset dataset) {
        Manifest manifest = dataset.manifest();
        if (!manifest.hasCaptions()) {
            List<String> names = manifest.labelNames() == null ? List.of() : manifest.labelNames();
            if (names.size() < 2) {
                throw new InvalidSettingException("{conditional} needs captions (a `caption` column; see ingest's"
                        + " sidecar .txt files) or a labelled dataset with at least 2 labels; " + dataset.path()
                        + " has " + names.size() + " labels and no captions");
            }
            Long unlabelled = manifest.counts().perLabel().getOrDefault("unlabelled", Map.of()).get(DatasetSchema.TRAIN);
            if (unlabelled != null && unlabelled > 0) {
                throw new InvalidSettingException("{conditional}: " + unlabelled + " train rows of " + dataset.path()
                        + " have no label and no caption; label or caption them, or train without {conditional}");
            }
            return new ConditionCaptions(DiffusionConfig.CaptionSource.LABEL_NAME, names);
        }
        TreeSet<String> texts = new TreeSet<>();
        for (Row r : dataset.rowsWithCaptions(spark).where(col(DatasetSchema.SPLIT).equalTo(DatasetSchema.TRAIN))
                .select(coalesce(col(DatasetSchema.CAPTION), col(DatasetSchema.LABEL_NAME))).distinct().collectAsList()) {
            String words = r.isNullAt(0) ? "" : normalize(r.getString(0));
            if (!words.isEmpty()) {
                texts.add(words);
            }
        }
        if (texts.size() < 2) {
            throw new InvalidSettingException("{conditional}: the train split of " + dataset.path() + " has "
                    + texts.size() + " distinct caption(s); a conditional model needs at least 2");
        }
        return new ConditionCaptions(DiffusionConfig.CaptionSource.CAPTION, List.copyOf(texts));
    }

    /** A caption's words, lower-cased, one space apart: equal word sequences are one caption. */
    static String normalize(String caption) {
        return String.join(" ", Vocabulary.split(caption));
    }

    /** Each train row's caption index: its caption's (else its label name's), -1 for neither (unconditional). */
    static RowLabeler labeler(DiffusionConfig config) {
        if (config.captionSource() != DiffusionConfig.CaptionSource.CAPTION) {
            return RowLabeler.CLASS;
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < config.captions().size(); i++) {
            index.put(config.captions().get(i), i);
        }
        return row -> {
            int caption = row.fieldIndex(DatasetSchema.CAPTION);
            int name = row.fieldIndex(DatasetSchema.LABEL_NAME);
            String text = !row.isNullAt(caption) ? row.getString(caption) : row.isNullAt(name) ? null : row.getString(name);
            return text == null ? -1 : index.getOrDefault(normalize(text), -1);
        };
    }
}
