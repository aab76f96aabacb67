package io.atelier.common.io;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A lazy iterator over outputs made a few at a time: while its buffer is empty and input
 * remains, {@code fill} consumes some input and adds the outputs it made (possibly none). Lets
 * a Spark partition stream rows through a network batch by batch, never holding them all.
 */
public final class Refilling {
    private Refilling() {
    }

    public static <T> Iterator<T> of(BooleanSupplier inputLeft, Consumer<ArrayDeque<T>> fill) {
        return new Iterator<>() {
            private final ArrayDeque<T> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && inputLeft.getAsBoolean()) {
                    fill.accept(ready);
                }
                return !ready.isEmpty();
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }
}
