package dev.torpor.router;

import dev.torpor.router.http.BlockingPool;
import dev.torpor.router.http.EdgeSettings;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.concurrent.ExecutorService;

/** The HTTP edge's own beans: the settings its controllers read, and the bounded blocking executor. */
@Factory
public class EdgeFactory {

    @Singleton
    EdgeSettings edgeSettings(TorporSettings settings) {
        return new EdgeSettings(settings.maxUploadMb(), settings.modelsDir());
    }

    /** Replaces Micronaut's unbounded blocking executor (see {@link BlockingPool}). */
    @Singleton
    @Named(TaskExecutors.BLOCKING)
    @Replaces(bean = ExecutorService.class, named = TaskExecutors.BLOCKING)
    @Bean(preDestroy = "shutdown")
    ExecutorService blocking(TorporSettings settings) {
        return new BlockingPool(settings.maxBlockingThreads());
    }
}
