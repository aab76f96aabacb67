package io.atelier.common.eval;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.io.InvalidSettingException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * A reproducible sample of N rows: every row gets key = xxhash64(seed, id), and the sample is the
 * N smallest keys. It depends on the seed and the ids only (not on partitioning or file order),
 * and only one number (the N-th key) comes to the driver. The key also orders reservoirs.
 */
public final class EvalSample {
    private EvalSample() {
    }

    /** Rows with a {@link FeatureSummaryJob#KEY} column; all rows when {@code count} is at least their number. */
    public static Dataset<Row> of(Dataset<Row> rows, long count, long seed) {
        if (count < 1) {
            throw new InvalidSettingException("{count} " + count + ": sample at least one image");
        }
        Dataset<Row> keyed = rows.withColumn(FeatureSummaryJob.KEY, xxhash64(lit(seed), col(DatasetSchema.ID)));
        Row threshold = keyed.select(FeatureSummaryJob.KEY).orderBy(FeatureSummaryJob.KEY).limit((int) Math.min(count, Integer.MAX_VALUE))
                .agg(max(FeatureSummaryJob.KEY)).first();
        if (threshold.isNullAt(0)) {
            return keyed.limit(0);
        }
        return keyed.where(col(FeatureSummaryJob.KEY).leq(threshold.getLong(0)));
    }
}
