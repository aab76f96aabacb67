package io.atelier.common.stylize;

import io.atelier.common.testing.LocalSpark;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class UnitWorkTest {
    private static Row item(String origin) {
        return RowFactory.create(origin, origin + ".png", null, new byte[]{1}, null, null, 1L);
    }

    private static Row wanted(int unit, String origin, String... styles) {
        // As Spark hands an array column to Java: a Scala sequence.
        return RowFactory.create(unit, origin, "id-" + origin,
                scala.collection.JavaConverters.asScalaBuffer(List.of(styles)).toList());
    }

    /** Counts the items pulled, so a test can see what a unit read. */
    private static final class Counting implements Iterator<Row> {
        final Iterator<Row> inner;
        int pulled;

        Counting(List<Row> rows) {
            inner = rows.iterator();
        }

        @Override
        public boolean hasNext() {
            return inner.hasNext();
        }

        @Override
        public Row next() {
            pulled++;
            return inner.next();
        }
    }

    @Test
    void aUnitYieldsItsListedItemsWithIdAndStylesReadsNoFurtherAndCountsTheMissing() {
        LongAccumulator lost = LocalSpark.get().sparkContext().longAccumulator();
        Counting items = new Counting(List.of(item("a"), item("b"), item("c"), item("d")));
        List<Row> out = new ArrayList<>();
        UnitWork.join(items, List.of(wanted(0, "b", "s1", "s2")).iterator(), lost).forEachRemaining(out::add);
        assertEquals(1, out.size());
        Row b = out.get(0);
        assertEquals("b", b.getString(0));
        assertEquals("b.png", b.getString(1));
        assertEquals("id-b", b.getString(2), "the id comes from the list (a file's is not known until decoded)");
        assertEquals(List.of("s1", "s2"), b.getList(7));
        assertEquals(2, items.pulled, "reading stops once the list is done");
        assertEquals(0, lost.value());

        Counting gone = new Counting(List.of(item("a")));
        UnitWork.join(gone, List.of(wanted(0, "a", "s1"), wanted(0, "z", "s1", "s2")).iterator(), lost)
                .forEachRemaining(r -> { });
        assertEquals(2, lost.value(), "a listed origin the unit no longer yields counts its pairs as lost");

        Counting idle = new Counting(List.of(item("a"), item("b")));
        assertFalse(UnitWork.join(idle, List.<Row>of().iterator(), lost).hasNext());
        assertEquals(0, idle.pulled, "a unit with nothing to do is not read");
    }

    @Test
    void eachUnitsRowsMeetItsItemsAcrossPartitions() {
        SparkSession spark = LocalSpark.get();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Row> items = new ArrayList<>();
        List<Row> todo = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            items.add(item("o" + i));
            if (i % 3 != 0) {
                todo.add(wanted(i / 8, "o" + i, "s"));
            }
        }
        JavaRDD<Row> units = jsc.parallelize(items, 5); // 8 items per unit, in order
        StructType schema = new StructType().add("unit", DataTypes.IntegerType).add("origin", DataTypes.StringType)
                .add("id", DataTypes.StringType).add("styles", DataTypes.createArrayType(DataTypes.StringType));
        LongAccumulator lost = spark.sparkContext().longAccumulator();
        List<Row> out = UnitWork.rows(units, spark.createDataFrame(todo, schema), lost).collect();

        Map<String, String> idByOrigin = new TreeMap<>();
        out.forEach(r -> idByOrigin.put(r.getString(0), r.getString(2)));
        assertEquals(todo.size(), out.size(), "each listed item once");
        assertEquals(todo.size(), idByOrigin.size());
        idByOrigin.forEach((origin, id) -> assertEquals("id-" + origin, id));
        assertEquals(0, lost.value());
        assertEquals(5, UnitWork.rows(units, spark.createDataFrame(todo, schema), lost).getNumPartitions());
        assertEquals(true, UnitWork.fits(spark.createDataFrame(todo, schema), 6), "at most 6 listed per unit");
        assertEquals(false, UnitWork.fits(spark.createDataFrame(todo, schema), 5));
    }
}
