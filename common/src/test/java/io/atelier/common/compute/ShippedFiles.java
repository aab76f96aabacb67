package io.atelier.common.compute;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The repository's own conf/ and deploy/ files, found from the test's working directory (the module). */
final class ShippedFiles {
    private ShippedFiles() {
    }

    static Path root() {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("deploy/gpu"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no deploy/gpu above " + Paths.get("").toAbsolutePath());
        }
        return dir;
    }
}
