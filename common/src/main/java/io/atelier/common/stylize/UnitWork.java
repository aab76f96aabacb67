package io.atelier.common.stylize;

import io.atelier.common.io.Refilling;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The work stage without moving images: each input partition (a unit of the listing) is joined
 * in place with its own to-do rows, which are small and are the only thing shuffled. A task reads
 * its unit's items, keeps those on its list and streams them on; a unit with nothing to do is not
 * read at all. Rows come out as {@link StylizeJob#withStyles}'s do: origin, path, id, content,
 * image, problem, size, styles.
 */
final class UnitWork {
    private UnitWork() {
    }

    /**
     * @param items the input frame's rows, the same partitions the listing checked
     * @param todo  (unit, origin, id, styles) rows, unit being the partition that listed the origin
     * @param lost  counts the pairs of listed origins that the unit no longer yields
     */
    static JavaRDD<Row> rows(JavaRDD<Row> items, Dataset<Row> todo, LongAccumulator lost) {
        int units = items.getNumPartitions();
        // Integer keys hash to themselves: unit u's rows land in partition u, beside its items.
        JavaRDD<Row> wanted = todo.select("unit", "origin", "id", "styles").javaRDD()
                .mapToPair(r -> new Tuple2<>(r.getInt(0), r))
                .partitionBy(new HashPartitioner(units))
                .values();
        return items.zipPartitions(wanted, (itemsOfUnit, wantedOfUnit) -> join(itemsOfUnit, wantedOfUnit, lost));
    }

    /** Streams the items on the list; what is left on it when the unit ends is counted lost. */
    static Iterator<Row> join(Iterator<Row> items, Iterator<Row> wanted, LongAccumulator lost) {
        Map<String, Row> left = new HashMap<>();
        wanted.forEachRemaining(w -> left.put(w.getString(1), w));
        // Reading stops once the list is done, so a unit with nothing to do is never read.
        return Refilling.of(() -> !left.isEmpty(), ready -> {
            if (!items.hasNext()) {
                // Listed, but gone from the unit since (deleted mid-run): counted, never silent.
                left.values().forEach(w -> lost.add(w.<String>getList(3).size()));
                left.clear();
                return;
            }
            Row item = items.next();
            Row w = left.remove(item.getString(0));
            if (w != null) {
                ready.add(RowFactory.create(item.getString(0), item.getString(1), w.getString(2), item.get(3),
                        item.get(4), item.get(5), item.get(6), w.get(3)));
            }
        });
    }

    /** Whether every unit's list is short enough to be one task ({@code limit} images). */
    static boolean fits(Dataset<Row> todo, long limit) {
        List<Row> over = todo.groupBy("unit").count().where(org.apache.spark.sql.functions.col("count").gt(limit))
                .limit(1).collectAsList();
        return over.isEmpty();
    }
}
