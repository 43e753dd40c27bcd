package org.detrain.config;

/**
 * The keys that set what the training loop does besides stepping: metric records, evaluations,
 * checkpoints, the final models. Built once per {@link RunConfig}: {@link RunConfig#loop()}.
 *
 * @param logEvery          {@code log.every}: iterations between metric records
 * @param evalEvery         {@code eval.every}: iterations between evaluations, 0 for every epoch
 * @param evalLocal         {@code eval.local}: also evaluate each rank's own model
 * @param evalTrainSamples  {@code eval.train.samples}: training samples the training objective is measured on (0: all)
 * @param saveModels        {@code save.models}: write the final models into metrics.h5
 * @param checkpointEvery   {@code checkpoint.every}: iterations between checkpoints, 0 to go by time
 * @param checkpointMinutes {@code checkpoint.minutes}: minutes between checkpoints when checkpointEvery is 0
 * @param checkpointKeep    {@code checkpoint.keep}: complete checkpoint sets kept
 */
public record LoopSettings(int logEvery, int evalEvery, boolean evalLocal, int evalTrainSamples, boolean saveModels,
                           int checkpointEvery, double checkpointMinutes, int checkpointKeep) {
    static LoopSettings from(RunConfig c) {
        return new LoopSettings(c.getInt("log.every"), c.getInt("eval.every"), c.getBoolean("eval.local"),
                c.getInt("eval.train.samples"), c.getBoolean("save.models"), c.getInt("checkpoint.every"),
                c.getDouble("checkpoint.minutes"), c.getInt("checkpoint.keep"));
    }

    /** Checkpoints go by time (every {@link #checkpointMinutes}) rather than by iteration count. */
    public boolean checkpointByTime() {
        return checkpointEvery == 0;
    }
}
