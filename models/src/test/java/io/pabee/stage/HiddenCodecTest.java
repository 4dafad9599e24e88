package io.pabee.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HiddenCodecTest {

    @Test
    void shouldRoundTripFp32Exactly() {
        float[] v = {0f, -1.5f, 3.4e38f, Float.MIN_VALUE, 123.456f};
        assertThat(HiddenCodec.decode(HiddenCodec.encode(v, false), false, v.length)).containsExactly(v);
    }

    @Test
    void shouldRoundTripFp16WithinHalfPrecision() {
        Random r = new Random(1);
        float[] v = new float[10_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 5);
        }
        float[] back = HiddenCodec.decode(HiddenCodec.encode(v, true), true, v.length);
        for (int i = 0; i < v.length; i++) {
            // binary16 keeps 11 significant bits: relative error <= 2^-11 for normal numbers
            assertThat(Math.abs(back[i] - v[i])).isLessThanOrEqualTo(Math.max(Math.abs(v[i]) / 2048f, 6.2e-5f));
        }
    }

    @Test
    void shouldMatchKnownBinary16Encodings() {
        assertThat(HiddenCodec.toHalf(1f)).isEqualTo((short) 0x3c00);
        assertThat(HiddenCodec.toHalf(-2f)).isEqualTo((short) 0xc000);
        assertThat(HiddenCodec.toHalf(65504f)).isEqualTo((short) 0x7bff);
        assertThat(HiddenCodec.toHalf(1e6f)).isEqualTo((short) 0x7c00);
        assertThat(HiddenCodec.toHalf(5.96046448e-8f)).isEqualTo((short) 0x0001);
        assertThat(HiddenCodec.toFloat((short) 0x3555)).isEqualTo(0.33325195f);
        assertThat(HiddenCodec.toHalf(1.00048828125f)).isEqualTo((short) 0x3c00); // tie rounds to even
        assertThat(Float.isNaN(HiddenCodec.toFloat(HiddenCodec.toHalf(Float.NaN)))).isTrue();
    }

    @Test
    void shouldRejectAWrongLength() {
        assertThatThrownBy(() -> HiddenCodec.decode(new byte[6], true, 4)).hasMessageContaining("expected 4 values");
    }
}
