/**
 * The owners of the records that cross process boundaries: {@link io.pabee.wire.ContinuationCodec}
 * builds and reads {@code LayerState} continuations, {@link io.pabee.wire.ResultBuilder} builds
 * {@code Classification} results, {@link io.pabee.wire.ShadowResults} the early-vs-full answers of shadow runs,
 * and {@link io.pabee.wire.WirePolicy} is the exit policy they carry.
 */
package io.pabee.wire;
