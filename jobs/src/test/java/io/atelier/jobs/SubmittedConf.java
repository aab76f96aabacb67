package io.atelier.jobs;

import org.apache.spark.SparkConf;
import scala.Tuple2;

/** An application for {@link SubmitScriptTest}: prints the Spark settings spark-submit gave it, and its arguments. */
public final class SubmittedConf {
    private SubmittedConf() {
    }

    public static void main(String[] args) {
        for (Tuple2<String, String> kv : new SparkConf().getAll()) {
            System.out.println("conf " + kv._1() + "=" + kv._2());
        }
        System.out.println("args " + String.join(" ", args));
    }
}
