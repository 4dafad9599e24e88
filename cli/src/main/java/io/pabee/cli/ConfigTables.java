package io.pabee.cli;

import io.pabee.config.CommonConfigs;
import io.pabee.router.RouterConfig;
import io.pabee.worker.WorkerConfig;

/** The configuration tables of the documentation, generated from every role's {@code ConfigDef}. */
final class ConfigTables {
    private ConfigTables() {
    }

    /** One Markdown section per table: the shared keys, then each role's own; every key appears once. */
    static String markdown() {
        return "#### Shared by router, analytics and worker (`CommonConfigs`)\n\n"
                + CommonConfigs.markdownTable(CommonConfigs.configDef(), null)
                + "\n#### Router and analytics (`RouterConfig`)\n\n"
                + RouterConfig.markdownTable()
                + "\n#### Worker (`WorkerConfig`)\n\n"
                + WorkerConfig.markdownTable();
    }
}
