package io.pabee.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchPlanTest {
    private static int[] lengths(int n) {
        Random r = new Random(1);
        return IntStream.range(0, n).map(i -> 3 + r.nextInt(60)).toArray();
    }

    @Test
    void coversEveryExampleOncePerEpochInBatchesOfSimilarLength() {
        int[] len = lengths(5000);
        List<int[]> plan = BatchPlan.epoch(len, 32, 42, 0);
        assertThat(plan).hasSize(BatchPlan.batchesPerEpoch(5000, 32));
        int[] all = plan.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertThat(all).isEqualTo(IntStream.range(0, 5000).toArray());
        // bucketing: padding to the longest of each batch wastes far less than random batches would
        long padded = plan.stream().mapToLong(b -> (long) b.length * Arrays.stream(b).map(i -> len[i]).max().orElse(0)).sum();
        long real = Arrays.stream(len).asLongStream().sum();
        assertThat((double) padded / real).isLessThan(1.1);
    }

    @Test
    void sameSeedAndEpochGiveTheSamePlanAndEpochsDiffer() {
        int[] len = lengths(1000);
        assertThat(BatchPlan.epoch(len, 16, 7, 3)).usingRecursiveFieldByFieldElementComparator()
                .containsExactlyElementsOf(BatchPlan.epoch(len, 16, 7, 3));
        assertThat(BatchPlan.epoch(len, 16, 7, 3).get(0)).isNotEqualTo(BatchPlan.epoch(len, 16, 7, 4).get(0));
    }
}
