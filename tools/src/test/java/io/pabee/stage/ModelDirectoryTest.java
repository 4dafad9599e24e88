package io.pabee.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pabee.prepare.BaseModel;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verification is cached per process only while a file is untouched: any write, even one that keeps the size, is caught. */
class ModelDirectoryTest {

    @Test
    void shouldHashUnchangedFilesOnceAndCatchAnInPlaceRewrite(@TempDir Path tmp) throws IOException {
        Path src = TestModels.prepared(BaseModel.ALL_MINILM_L6_V2).path();
        Path copy = tmp.resolve("model");
        List<Path> files;
        try (Stream<Path> s = Files.walk(src)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("monolithic.onnx")).toList();
        }
        for (Path f : files) {
            Path to = copy.resolve(src.relativize(f).toString());
            Files.createDirectories(to.getParent());
            Files.copy(f, to);
            // written "an hour ago": files written in the last seconds are never cached
            Files.setLastModifiedTime(to, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        }
        long before = ModelDirectory.filesHashed();
        assertThat(ModelDirectory.open(copy).numLayers()).isEqualTo(6);
        long first = ModelDirectory.filesHashed() - before;
        assertThat(first).isGreaterThanOrEqualTo(8); // 7 stages + tokenizer (+ heads, if installed)
        ModelDirectory.open(copy);
        assertThat(ModelDirectory.filesHashed() - before).isEqualTo(first);

        // same size, one byte flipped in place: only the modification time tells, and that is enough
        // (a file written just now is hashed every time, so a coarse clock cannot hide this write)
        Path stage = copy.resolve("stage-02.onnx");
        long size = Files.size(stage);
        try (RandomAccessFile f = new RandomAccessFile(stage.toFile(), "rw")) {
            f.seek(size / 2);
            int b = f.read();
            f.seek(size / 2);
            f.write(b ^ 0xFF);
        }
        assertThat(Files.size(stage)).isEqualTo(size);
        long hashedBefore = ModelDirectory.filesHashed();
        assertThatThrownBy(() -> ModelDirectory.open(copy))
                .isInstanceOf(ModelFileException.class)
                .hasMessageContaining("stage-02.onnx")
                .hasMessageContaining("sha256");
        assertThat(ModelDirectory.filesHashed()).isGreaterThan(hashedBefore);
    }
}
