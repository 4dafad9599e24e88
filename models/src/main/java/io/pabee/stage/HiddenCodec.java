package io.pabee.stage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Hidden states on the wire: little-endian fp32, or fp16 (half the bytes; IEEE binary16 with
 * round-to-nearest-even, so a continuation loses only what fp16 cannot represent).
 */
public final class HiddenCodec {
    private HiddenCodec() {
    }

    public static byte[] encode(float[] values, boolean fp16) {
        ByteBuffer b = ByteBuffer.allocate(values.length * (fp16 ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        if (fp16) {
            for (float v : values) {
                b.putShort(toHalf(v));
            }
        } else {
            b.asFloatBuffer().put(values);
        }
        return b.array();
    }

    public static float[] decode(byte[] bytes, boolean fp16, int expectedValues) {
        int width = fp16 ? 2 : 4;
        if (bytes.length != expectedValues * width) {
            throw new IllegalArgumentException("hidden state has " + bytes.length + " bytes, expected "
                    + expectedValues + " values of " + width + " bytes");
        }
        float[] out = new float[expectedValues];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (fp16) {
            for (int i = 0; i < out.length; i++) {
                out[i] = toFloat(b.getShort());
            }
        } else {
            b.asFloatBuffer().get(out);
        }
        return out;
    }

    /** float → binary16, round to nearest even; overflow → ±inf, NaN kept. */
    public static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is the correct rounding
        }
        return (short) (sign | half);
    }

    public static float toFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant / 1024f * (1f / 16384f);
            return sign != 0 ? -v : v;
        }
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
