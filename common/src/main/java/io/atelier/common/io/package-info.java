/**
 * Files on any Hadoop FileSystem (local, HDFS, S3A), written atomically, JSON, and the lease that
 * keeps two runs out of one output. No model code.
 */
package io.atelier.common.io;
