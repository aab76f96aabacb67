/** Files on any Hadoop FileSystem (local, HDFS, S3A), written atomically, and JSON. No model code. */
package io.atelier.common.io;
