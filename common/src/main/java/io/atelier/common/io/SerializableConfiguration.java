package io.atelier.common.io;

import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * Ships the driver's Hadoop configuration (file system settings, credentials) to tasks. Broadcast
 * it: deserialising a Configuration costs milliseconds, once per executor is enough.
 */
public final class SerializableConfiguration implements Serializable {
    private transient Configuration conf;

    public SerializableConfiguration(Configuration conf) {
        this.conf = conf;
    }

    public Configuration get() {
        return conf;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        conf.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        conf = new Configuration(false);
        conf.readFields(in);
    }
}
