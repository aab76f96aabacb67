package io.atelier.common.scoring;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.families.cyclegan.CycleGanConfig;
import io.atelier.common.families.cyclegan.CycleGanTranslator.Direction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import static org.apache.spark.sql.functions.col;

/**
 * Where a CycleGAN model's two domains' images are: label sets of one dataset, or two datasets
 * (--data-a, --data-b), each with every split.
 *
 * @param flagA how messages name domain A's images ("--real X", "the run's --data-a X")
 */
record TranslationDomains(ImageDataset a, Dataset<Row> rowsA, String flagA, ImageDataset b, Dataset<Row> rowsB,
                          String flagB) {

    /** The label sets {@code model} names, of one dataset. */
    static TranslationDomains ofLabels(SparkSession spark, ImageDataset data, String flag, CycleGanConfig model) {
        requireShape(data, flag, model);
        Dataset<Row> rows = data.rows(spark);
        String name = flag + " " + data.path();
        return new TranslationDomains(data, rows.where(col(DatasetSchema.LABEL_NAME).isin(model.domainA().toArray())), name,
                data, rows.where(col(DatasetSchema.LABEL_NAME).isin(model.domainB().toArray())), name);
    }

    /** Two datasets, each a whole domain. */
    static TranslationDomains ofDatasets(SparkSession spark, String dataA, String dataB, String prefix, CycleGanConfig model) {
        ImageDataset a = requireShape(ImageDataset.open(spark, dataA), prefix + "--data-a", model);
        ImageDataset b = requireShape(ImageDataset.open(spark, dataB), prefix + "--data-b", model);
        return new TranslationDomains(a, a.rows(spark), prefix + "--data-a " + dataA, b, b.rows(spark),
                prefix + "--data-b " + dataB);
    }

    ImageDataset source(Direction d) {
        return d == Direction.A_TO_B ? a : b;
    }

    ImageDataset target(Direction d) {
        return d == Direction.A_TO_B ? b : a;
    }

    Dataset<Row> sourceRows(Direction d) {
        return d == Direction.A_TO_B ? rowsA : rowsB;
    }

    Dataset<Row> targetRows(Direction d) {
        return d == Direction.A_TO_B ? rowsB : rowsA;
    }

    String sourceFlag(Direction d) {
        return d == Direction.A_TO_B ? flagA : flagB;
    }

    boolean oneDataset() {
        return a == b;
    }

    private static ImageDataset requireShape(ImageDataset data, String flag, CycleGanConfig model) {
        Manifest m = data.manifest();
        if (m.height() != model.imageSize() || m.width() != model.imageSize() || m.channels() != model.channels()) {
            throw new IllegalArgumentException(flag + " " + data.path() + " holds " + m.height() + "x" + m.width() + "x"
                    + m.channels() + " images, the model translates " + model.imageSize() + "x" + model.imageSize() + "x"
                    + model.channels() + " ones; score it on data of its training data's shape");
        }
        return data;
    }
}
