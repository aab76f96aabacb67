"""Airflow DAG: nightly stylize of a growing catalog with Atelier.

Copy to the DAGs folder of an Airflow with apache-airflow-providers-apache-spark, whose Spark
connection (spark_default) names the cluster's master (yarn, spark://host:7077 or k8s://...), and
set ATELIER_HOME to a checkout holding the built jar. Each run stylizes only the images the
previous ones have not done; one run at a time (max_active_runs=1), and the output's lease makes a
run started beside another (a manual one, a retry) fail in one line instead of writing twice.

The provider's SparkSubmitOperator runs a spark-submit binary itself, with the application jar
before the arguments, so it cannot call deploy/atelier-submit, whose command line ends with
"-- <command>" and which adds the jar itself. It gets the same submission:
Atelier's conf/spark-defaults.conf as --conf, which wins over the cluster's own
spark-defaults.conf for Atelier's keys only, exactly as atelier-submit's merge does.
"""
import os
import re
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

ATELIER_HOME = os.environ.get("ATELIER_HOME", "/opt/atelier")


def atelier_settings(path):
    """conf/spark-defaults.conf's key-value lines ('#' comments), as deploy/atelier-submit passes them."""
    settings = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", "!")):
                key, value = re.split(r"\s*[=:\s]\s*", line, maxsplit=1)
                settings[key] = value.strip()
    return settings


with DAG(
    dag_id="atelier_stylize_catalog",
    schedule="0 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=30)},
    tags=["atelier"],
) as dag:
    SparkSubmitOperator(
        task_id="stylize",
        conn_id="spark_default",
        application=os.path.join(ATELIER_HOME, "jobs/target/atelier-jobs.jar"),
        java_class="io.atelier.jobs.AtelierCli",
        conf=atelier_settings(os.path.join(ATELIER_HOME, "conf/spark-defaults.conf")),
        application_args=[
            "stylize",
            "--input", "hdfs:///catalog/photos",
            "--method", "fast",
            "--model", "hdfs:///models/style-starry_night",
            "--out", "hdfs:///catalog/stylized",
            "--size", "512",
        ],
    )
