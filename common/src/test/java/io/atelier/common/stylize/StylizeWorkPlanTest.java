package io.atelier.common.stylize;

import io.atelier.common.catalog.CatalogInputs;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StylizeWorkPlanTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        // Broadcast joins off: the catalog's keys do not always fit a broadcast, and the plan must
        // still never sort the images.
        spark = SparkSession.builder().master("local[2]").appName("stylize-plan-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.autoBroadcastJoinThreshold", "-1").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void imagesStillToDoMeetTheirStylesInTaskCountPartitionsWithoutAnySort() {
        List<Row> items = new ArrayList<>();
        List<Row> todo = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String origin = "file:/catalog/img-" + i + ".jpg";
            items.add(RowFactory.create(origin, "img-" + i + ".jpg", null, new byte[]{(byte) i, 1, 2}, null, null, 3L));
            if (i % 4 != 0) { // a quarter of the catalog is already done
                todo.add(RowFactory.create(origin, "img-" + i + ".jpg", "id" + i, List.of("starry", "scream")));
            }
        }
        StructType todoSchema = new StructType().add("origin", DataTypes.StringType).add("path", DataTypes.StringType)
                .add("id", DataTypes.StringType).add("styles", DataTypes.createArrayType(DataTypes.StringType));
        StylizeJob.Work work = StylizeJob.withStyles(spark.createDataFrame(items, CatalogInputs.ITEM),
                spark.createDataFrame(todo, todoSchema), 6);

        assertEquals(6, work.rows().getNumPartitions());
        assertEquals("200", spark.conf().get("spark.sql.shuffle.partitions"), "the session's setting is restored");
        Map<String, Integer> seen = new TreeMap<>();
        for (Row r : work.rows().collect()) {
            String id = r.getString(r.fieldIndex("id"));
            int n = Integer.parseInt(id.substring(2));
            assertEquals(n, ((byte[]) r.get(r.fieldIndex("content")))[0], "bytes travel with their own key");
            assertEquals(List.of("starry", "scream"), r.getList(r.fieldIndex("styles")));
            seen.merge(id, 1, Integer::sum);
        }
        assertEquals(30, seen.size(), "every image still to do, once: " + seen);
        assertTrue(seen.values().stream().allMatch(c -> c == 1));

        String plan = work.plan();
        assertTrue(plan.contains("ShuffledHashJoin"), plan);
        assertFalse(plan.contains("SortMergeJoin"), plan);
        assertFalse(plan.contains("Sort ["), "nothing sorts the images: " + plan);
    }
}
