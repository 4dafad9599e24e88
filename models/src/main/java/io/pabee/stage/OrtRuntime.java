package io.pabee.stage;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide ONNX Runtime environment with one global intra-op thread pool. Per-session
 * pools would give each of the 13 stage sessions its own spinning threads; on 2 cores that doubled
 * the cost in a probe, so every session shares the global pool.
 */
public final class OrtRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);
    private static OrtEnvironment env;
    private static int threads;
    private static volatile Boolean cudaUsable;

    private OrtRuntime() {
    }

    /**
     * The shared environment. The first caller fixes the thread count (0 = number of cores) and
     * spinning; later callers get the same environment.
     */
    public static synchronized OrtEnvironment environment(int intraOpThreads, boolean spin) {
        if (env == null) {
            int n = intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
            try (OrtEnvironment.ThreadingOptions t = new OrtEnvironment.ThreadingOptions()) {
                t.setGlobalIntraOpNumThreads(n);
                t.setGlobalInterOpNumThreads(1);
                t.setGlobalSpinControl(spin);
                env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "pabee", t);
            } catch (OrtException e) {
                throw new IllegalStateException("cannot start ONNX Runtime: " + e.getMessage(), e);
            }
            threads = n;
            LOG.info("ONNX Runtime {} started: global intra-op pool of {} threads, spinning {}",
                    env.getVersion(), n, spin ? "on" : "off");
        }
        return env;
    }

    public static synchronized int threads() {
        return threads;
    }

    /**
     * Opens one session on the requested device. CUDA is tried for real (listing providers is not
     * enough: the GPU jar lists CUDA even where no GPU or CUDA library exists); if it fails, the
     * reason is logged once and this and every later session run on CPU.
     */
    public static OrtSession open(OrtEnvironment env, Path model, ExecutionDevice device) throws OrtException {
        if (device.cuda() && !Boolean.FALSE.equals(cudaUsable)) {
            try (OrtSession.SessionOptions o = options()) {
                o.addCUDA(device.deviceId());
                OrtSession s = env.createSession(model.toString(), o);
                if (cudaUsable == null) {
                    LOG.info("stages run on the CUDA execution provider, device {}", device.deviceId());
                }
                cudaUsable = true;
                return s;
            } catch (OrtException | UnsatisfiedLinkError | RuntimeException e) {
                cudaUsable = false;
                LOG.warn("CUDA execution provider unusable ({}); falling back to the CPU provider",
                        firstLine(e.getMessage()));
            }
        }
        try (OrtSession.SessionOptions o = options()) {
            return env.createSession(model.toString(), o);
        }
    }

    /** The device sessions actually run on after fallback. */
    public static String effectiveDevice(ExecutionDevice requested) {
        return requested.cuda() && Boolean.TRUE.equals(cudaUsable) ? requested.toString() : "cpu";
    }

    private static OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.disablePerSessionThreads();
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return o;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
